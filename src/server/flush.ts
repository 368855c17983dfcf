// Once-per-turn write scheduling: connections with queued output are flushed together in one setImmediate.
//
// Every send() during an event-loop turn only appends a Buffer to the connection's queue; the first
// one in the turn schedules a single flush pass, which writes each dirty socket's queue as one
// Buffer, so a connection gets at most one write per turn however many messages reached it.

import { resetScratch } from './slab.js';

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
  // Every connection with scratch bytes was dirty, so they have all been copied or dropped
  // (unless a flush queued more output, which cannot happen today; then the next pass resets).
  if (dirty.length === 0) resetScratch();
}

/** Queue `c` for the next flush pass. The caller ensures each connection is marked once per pass. */
export function markDirty(c: Flushable): void {
  dirty.push(c);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}
