// Once-per-turn write scheduling: connections with queued output are flushed together in one setImmediate.
//
// Every send() during an event-loop turn only appends a Buffer to the connection's queue; the first
// one in the turn schedules a single flush pass, which corks each dirty socket, writes its queue and
// uncorks, so a connection gets at most one writev per turn however many messages reached it.

export interface Flushable {
  flush(): void;
}

let dirty: Flushable[] = [];
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  const batch = dirty;
  dirty = [];
  for (let k = 0; k < batch.length; k++) batch[k].flush();
}

/** Queue `c` for the next flush pass. The caller ensures each connection is marked once per pass. */
export function markDirty(c: Flushable): void {
  dirty.push(c);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}
