// Flow control: input follows output. A sender whose recipients cannot take more is not read until they drain.
//
// The rules (ARCHITECTURE.md, "The hot path"; issue #9):
//
// * Bounded work per turn. A connection handles at most one read (64 KiB) of input per event-loop
//   turn; after a full read it stops reading until the turn's flush pass is over (connection.ts).
// * Pending output is what a connection has queued in user space plus the one write it has in
//   flight (output.ts keeps at most one): bytes the kernel has not taken yet.
// * High water. While a connection's line is handled it is the *current sender*. A recipient whose
//   pending output passes HIGH records the sender as a waiter; the sender finishes that line, keeps
//   the rest of its input and stops reading its socket, so TCP slows the peer. A recipient releases
//   its waiters when its pending output falls below LOW (a quarter of HIGH).
// * Nobody sets the pace for long. A recipient that has been over the mark for HOLD_MS in a row, or
//   whose writes made no progress for STALL_MS, is *on its own*: it releases its waiters and holds
//   nobody back until it drains below LOW. Its queue then grows until it passes `sendq`, or its
//   writes make no progress for `sendqTimeout`, and it is cut ("SendQ exceeded").
// * Released senders go on after the turn's flush pass (flush.ts): their kept input first, then
//   their socket is read again. Nothing is dropped or reordered on the way.
//
//                    a recipient passes HIGH during one of S's lines
//        S reading ───────────────────────────────────────────────────► S held
//            ▲                                       (rest of input kept, socket paused)
//            │                                                              │
//            └── each recipient S waits on: below LOW, on its own, or gone ◄┘
//
// A connection is its own recipient too: a client that does not read its replies stops being read.

/** A connection as flow control sees it (Output implements it). */
export interface FlowPeer {
  readonly flow: Flow | null;
  /** Pending output: queued plus in flight. */
  pending(): number;
  /** This connection's send queue cap; the marks are derived from it. */
  sendqBytes(): number;
  /** Milliseconds its output may make no progress before it is cut. */
  sendqTimeout(): number;
  now(): number;
  isGone(): boolean;
  /** Make (once) and return this connection's flow state. */
  flowState(): Flow;
  /** Every recipient this connection waited on has released it: go on (after the flush pass). */
  resume(): void;
  /** The first recipient holds it back (a sender of another cluster node: remote-flow.ts). */
  held?(): void;
  /** Cut the link: its writes made no progress for too long. */
  stalled(): void;
  /** Notice a write that finished without a 'drain' event (a socket with a high-water mark over 1). */
  poll(): void;
}

/** Recipient and sender state of one connection, made on first use: idle connections carry none. */
export class Flow {
  /** Senders held back by this connection's pending output (a sender may appear more than once). */
  waiters: FlowPeer[] = [];
  /** When this connection's pending output passed HIGH in the current episode; 0 when below. */
  congestedAt = 0;
  /** When the kernel last took a write of this connection (or one was started on an empty link). */
  progressAt = 0;
  /** On its own: over the mark too long or stalled, so it holds nobody back until below LOW. */
  alone = false;
  /** As a sender: entries in recipients' `waiters` lists not yet released. */
  blockers = 0;
  /** A long reply being produced as this connection drains; true from it means finished. */
  more: (() => boolean) | null = null;
  /** Long replies begun while one was running (a store answer that joins channels), in order. */
  queued: (() => boolean)[] = [];
}

/** Pending output past which a recipient holds its senders back. */
export function highWater(sendq: number): number {
  return Math.min(64 * 1024, sendq >> 2);
}

/** Pending output under which a recipient releases them. */
export function lowWater(sendq: number): number {
  return highWater(sendq) >> 2;
}

/** A reader whose writes make no progress for this long stops holding senders back. */
export const STALL_MS = 1000;
/** A reader over the mark for this long in a row stops holding senders back, draining or not. */
export const HOLD_MS = 2000;
/** How often congested and backlogged connections are looked at. */
const WATCH_MS = 250;

let current: FlowPeer | null = null;

/** Counts since start, for diagnostics and tests: senders held back, readers left on their own. */
export const flowStats = { held: 0, alone: 0 };

/** Set while a connection's input line is being handled; returns the previous one to restore. */
export function setCurrent(peer: FlowPeer | null): FlowPeer | null {
  const was = current;
  current = peer;
  return was;
}

/** Whether `peer` waits on recipients (or on its own long reply) and must not handle more input. */
export function isHeld(peer: FlowPeer): boolean {
  const f = peer.flow;
  return f !== null && f.blockers > 0;
}

/** `peer`'s pending output has passed HIGH: hold the current sender back unless `peer` is on its own. */
export function congested(peer: FlowPeer): void {
  const f = peer.flowState();
  if (f.alone) return;
  if (f.congestedAt === 0) {
    f.congestedAt = peer.now();
    if (f.progressAt === 0) f.progressAt = f.congestedAt;
    watch(peer);
  }
  const sender = current;
  if (sender === null || sender.isGone()) return;
  // Within one line a sender reaches a recipient once or a few times in a row: one entry will do.
  if (f.waiters.length > 0 && f.waiters[f.waiters.length - 1] === sender) return;
  f.waiters.push(sender);
  if (sender.flowState().blockers++ === 0) {
    flowStats.held++;
    sender.held?.();
  }
}

/** A write of `peer`'s was started on an idle link or finished: its reader is making progress. */
export function progressed(peer: FlowPeer, inFlight: boolean): void {
  const f = peer.flow;
  if (f === null) {
    if (!inFlight) return;
    peer.flowState().progressAt = peer.now();
    watch(peer);
    return;
  }
  f.progressAt = peer.now();
  if (inFlight) watch(peer);
  if (peer.pending() >= lowWater(peer.sendqBytes())) return;
  if (f.congestedAt !== 0) {
    f.congestedAt = 0;
    f.alone = false;
    release(peer);
  }
  if (f.more !== null) peer.resume();
}

/**
 * `peer` produces a long reply as it drains: `more` is called (with `peer` as the current sender)
 * whenever its pending output is below LOW, until it returns true; meanwhile `peer` handles no input.
 */
export function continueWith(peer: FlowPeer, more: () => boolean): void {
  const f = peer.flowState();
  if (f.more !== null) {
    f.queued.push(more); // runs when the current one has finished: replies keep their order
    return;
  }
  f.more = more;
  f.blockers++;
}

/** Run `peer`'s long reply on (after a flush pass); true when it has finished. */
export function runMore(peer: FlowPeer): void {
  const f = peer.flow;
  if (f === null || f.more === null || peer.pending() >= lowWater(peer.sendqBytes())) return;
  const was = setCurrent(peer);
  let done = f.more();
  while (done && f.more !== null && f.queued.length > 0) {
    f.more = f.queued.shift()!;
    done = peer.pending() < lowWater(peer.sendqBytes()) ? f.more() : false;
  }
  setCurrent(was);
  if (done && f.more !== null) {
    f.more = null;
    f.blockers--;
  }
}

/** Let every sender waiting on `peer` go on (they resume after the flush pass). */
export function release(peer: FlowPeer): void {
  const f = peer.flow;
  if (f === null || f.waiters.length === 0) return;
  const waiters = f.waiters;
  f.waiters = [];
  for (let k = 0; k < waiters.length; k++) {
    const w = waiters[k];
    const wf = w.flow!;
    if (--wf.blockers === 0 && !w.isGone()) w.resume();
  }
}

/** `peer` is gone: whoever waits on it goes on. */
export function forget(peer: FlowPeer): void {
  const f = peer.flow;
  if (f === null) return;
  f.more = null;
  f.queued = [];
  release(peer);
  watched.delete(peer);
}

// ---- the watchdog: stalled readers stop holding senders back, then are cut ----

const watched = new Set<FlowPeer>();
let timer: NodeJS.Timeout | null = null;

function watch(peer: FlowPeer): void {
  watched.add(peer);
  if (timer === null) {
    timer = setInterval(sweep, WATCH_MS);
    timer.unref();
  }
}

/** @internal Run one watchdog pass now (tests). */
export function sweep(): void {
  for (const peer of watched) {
    const f = peer.flow!;
    if (peer.isGone()) {
      watched.delete(peer);
      continue;
    }
    peer.poll();
    const pending = peer.pending();
    if (pending === 0 && f.congestedAt === 0) {
      watched.delete(peer);
      continue;
    }
    const now = peer.now();
    const still = now - f.progressAt;
    if (pending > 0 && still > peer.sendqTimeout()) {
      peer.stalled();
      continue;
    }
    if (!f.alone && f.congestedAt !== 0 && (still > STALL_MS || now - f.congestedAt > HOLD_MS)) {
      f.alone = true;
      flowStats.alone++;
      release(peer);
    }
  }
  if (watched.size === 0 && timer !== null) {
    clearInterval(timer);
    timer = null;
  }
}
