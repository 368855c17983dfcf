// The end of each event-loop turn: connections with queued output are written in one pass, then held-back readers go on.
//
// Every send() during a turn only appends to the connection's queue; the first one in the turn
// schedules a single pass (setImmediate), which writes each dirty socket's queue as one Buffer, so
// a connection gets one write per turn however many messages reached it. After the writes,
// connections marked ready (flow.ts: released senders, readers that used up their turn's input)
// go on: their kept input is handled and their sockets are read again. What they queue is written
// in the next pass, after the poll phase has read everyone else. A turn that reads so much that its
// scratch space passes EARLY_BYTES also writes between its reads (writeEarly).

import { resetScratch, scratchClaimed } from './slab.js';

export interface Flushable {
  flush(): void;
}

export interface SoonFlushable {
  flushSoon(): void;
}

export interface Resumable {
  /** Go on after the flush pass: kept input, long replies, reading again. */
  resumeNow(): void;
}

/** Connections to write in the next pass: dirty[0, dirtyCount). Two arrays take turns and keep
 * their size, so a fan-out to thousands grows no array per pass; a written slot is cleared. */
let dirty: Flushable[] = [];
let dirtyCount = 0;
let spare: Flushable[] = [];
const CLEARED: Flushable = { flush() {} };
/** Run first in every pass: history stores commit, so what goes out is already durable. */
const beforeWrites = new Set<() => void>();
let ready: Resumable[] = [];
let scheduled = false;

function pass(): void {
  scheduled = false;
  writeAll();
  if (ready.length === 0) return;
  const go = ready;
  ready = [];
  for (let k = 0; k < go.length; k++) go[k].resumeNow();
}

/**
 * Between two reads of one turn: when the turn's scratch space has grown past EARLY_BYTES, write
 * what is queued now instead of at the turn's end. A burst read from hundreds of senders in one
 * turn then goes out in pieces whose bytes are still in the cache, and readers get them sooner.
 * Held-back readers still go on only in the turn's own pass.
 */
export function writeEarly(): void {
  if (scratchClaimed() > earlyBytes) {
    early++;
    writeAll();
  }
}

/** A turn's scratch bytes past which its reads are followed by a write pass. Measured with
 * direct-blast (500 senders of private messages read in one turn): 4 MiB wrote 20% more per second
 * at the steady state than one pass a turn, 8 MiB the same, 1 MiB less (more, smaller writes). */
export const EARLY_BYTES = 4 * 1024 * 1024;
let earlyBytes = EARLY_BYTES;
let early = 0;

/** @internal Set the early-write threshold (a test makes a few clients cross it). */
export function setEarlyBytes(bytes: number): void {
  earlyBytes = bytes;
}

/** @internal How many early write passes ran (tests check the path is really taken). */
export function earlyWrites(): number {
  return early;
}

function writeAll(): void {
  if (beforeWrites.size !== 0) for (const fn of beforeWrites) fn();
  const batch = dirty;
  const n = dirtyCount;
  dirty = spare;
  dirtyCount = 0;
  spare = batch;
  for (let k = 0; k < n; k++) {
    const c = batch[k];
    batch[k] = CLEARED; // a closed connection is not kept alive by the array
    c.flush();
  }
  // Every connection with scratch bytes was dirty, so they have all been copied or dropped.
  if (dirtyCount === 0) resetScratch();
}

function schedule(): void {
  if (!scheduled) {
    scheduled = true;
    setImmediate(pass);
  }
}

/** Run `fn` at the start of every flush pass, before any socket is written (on: false removes it). */
export function beforeEveryWrite(fn: () => void, on: boolean): void {
  if (on) beforeWrites.add(fn);
  else beforeWrites.delete(fn);
}

/** Queue `c` for the next flush pass. The caller ensures each connection is marked once per pass. */
export function markDirty(c: Flushable): void {
  if (dirtyCount === dirty.length) dirty.push(c);
  else dirty[dirtyCount] = c;
  dirtyCount++;
  schedule();
}

/** News that may wait (output.ts sendSoon) is written at the latest this long after it was queued. */
export const SOON_MS = 50;

let soon: SoonFlushable[] = [];
let soonTimer: NodeJS.Timeout | null = null;

function soonPass(): void {
  soonTimer = null;
  if (beforeWrites.size !== 0) for (const fn of beforeWrites) fn();
  const batch = soon;
  soon = [];
  for (let k = 0; k < batch.length; k++) batch[k].flushSoon();
}

/** Write `c`'s queue within SOON_MS unless a flush pass does first. Marked once per soon pass. */
export function markSoon(c: SoonFlushable): void {
  soon.push(c);
  if (soonTimer === null) soonTimer = setTimeout(soonPass, SOON_MS);
}

/** Let `c` go on after the next flush pass. The caller ensures it is marked once per pass. */
export function markReady(c: Resumable): void {
  ready.push(c);
  schedule();
}
