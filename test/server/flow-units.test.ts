// flow.ts rule by rule, with scripted peers and a hand-moved clock: the marks, who is held and released, and when a reader is left on its own or cut (flow-replies.test.ts has the long replies).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  flowStats,
  highWater,
  HOLD_MS,
  isHeld,
  lowWater,
  progressed,
  release,
  setCurrent,
  STALL_MS,
  sweep,
} from '../../src/server/flow.js';
import { clock, forgetPeers, HIGH, LOW, overflow, peer, SENDQ, type Peer } from './flow-kit.js';

afterEach(forgetPeers);

test('the marks: a quarter of the send queue up to 64 KiB, and a quarter of that', () => {
  assert.equal(highWater(SENDQ), HIGH);
  assert.equal(lowWater(SENDQ), LOW);
  assert.equal(highWater(256 * 1024), HIGH, 'exactly where the cap starts');
  assert.equal(highWater(256 * 1024 - 4), HIGH - 1);
  assert.equal(highWater(100_000), 25_000);
  assert.equal(lowWater(100_000), 6_250);
});

test('setCurrent hands back the sender it replaces', () => {
  const a = peer('a');
  const b = peer('b');
  assert.equal(setCurrent(a), null);
  assert.equal(setCurrent(b), a);
  assert.equal(setCurrent(null), b);
});

test('a recipient over the mark holds the current sender once per line; below LOW it lets go', () => {
  const s = peer('s');
  const r = peer('r');
  const heldBefore = flowStats.held;
  assert.equal(isHeld(s), false, 'no flow state yet: not held');
  overflow(r, s);
  overflow(r, s); // the same line reaching it again
  assert.equal(isHeld(s), true);
  assert.equal(s.heldCalls, 1, 'told once that it is held');
  assert.equal(flowStats.held, heldBefore + 1);
  assert.deepEqual(r.flow!.waiters, [s], 'one entry for the line');
  assert.equal(r.flow!.congestedAt, clock.t);
  assert.equal(r.flow!.progressAt, clock.t, 'the episode counts as progress from its start');

  r.out = LOW; // not below LOW yet
  progressed(r, false);
  assert.equal(isHeld(s), true);
  assert.equal(s.resumed, 0);
  r.out = LOW - 1;
  progressed(r, false);
  assert.equal(isHeld(s), false);
  assert.equal(s.resumed, 1);
  assert.equal(r.resumed, 0, 'the reader itself has no long reply to go on with');
  assert.equal(r.flow!.congestedAt, 0, 'the episode is over');
  assert.deepEqual(r.flow!.waiters, []);
});

test('without a current sender, or with one that is gone, nobody is held', () => {
  const r = peer('r');
  overflow(r, null);
  assert.deepEqual(r.flow!.waiters, []);
  assert.notEqual(r.flow!.congestedAt, 0, 'the congestion is still noted');
  const s = peer('s');
  s.gone = true;
  overflow(r, s);
  assert.deepEqual(r.flow!.waiters, []);
  assert.equal(isHeld(s), false);
});

test('a congestion that started earlier keeps its start; progress noted before is kept', () => {
  const r = peer('r');
  progressed(r, true); // a write started on an idle link
  const startedAt = clock.t;
  assert.equal(r.flow!.progressAt, startedAt);
  clock.t += 300;
  overflow(r, peer('s'));
  assert.equal(r.flow!.progressAt, startedAt, 'not moved by the congestion');
  assert.equal(r.flow!.congestedAt, clock.t);
  clock.t += 300;
  overflow(r, peer('t'));
  assert.equal(r.flow!.congestedAt, clock.t - 300, 'the episode keeps its first moment');
});

test('a sender waiting on two recipients goes on only when both let go', () => {
  const s = peer('s');
  const r1 = peer('r1');
  const r2 = peer('r2');
  overflow(r1, s);
  overflow(r2, s);
  assert.equal(s.flow!.blockers, 2);
  r1.out = 0;
  progressed(r1, false);
  assert.equal(s.resumed, 0);
  assert.equal(isHeld(s), true);
  r2.out = 0;
  progressed(r2, false);
  assert.equal(s.resumed, 1);
  assert.equal(s.flow!.blockers, 0);
});

test('two senders on one recipient, then another line of the first: each entry is released', () => {
  const a = peer('a');
  const b = peer('b');
  const r = peer('r');
  overflow(r, a);
  overflow(r, b);
  overflow(r, a); // a later line of a, after b's: a second entry
  assert.deepEqual(
    r.flow!.waiters.map((p) => (p as Peer).name),
    ['a', 'b', 'a'],
  );
  assert.equal(a.flow!.blockers, 2);
  release(r);
  assert.equal(a.resumed, 1, 'resumed once, when its last entry goes');
  assert.equal(b.resumed, 1);
  assert.equal(isHeld(a), false);
});

test('a sender that left meanwhile is released but not resumed', () => {
  const s = peer('s');
  const r = peer('r');
  overflow(r, s);
  s.gone = true;
  release(r);
  assert.equal(s.flow!.blockers, 0);
  assert.equal(s.resumed, 0);
  release(r); // nothing left to release
  release(peer('never-congested'));
});

test('a reader whose writes make no progress for STALL_MS is on its own: senders go on', () => {
  const s = peer('s');
  const r = peer('r');
  const aloneBefore = flowStats.alone;
  overflow(r, s);
  clock.t += STALL_MS;
  sweep();
  assert.equal(r.flow!.alone, false, 'exactly STALL_MS: still holding');
  assert.equal(s.resumed, 0);
  clock.t += 1;
  sweep();
  assert.equal(r.flow!.alone, true);
  assert.equal(flowStats.alone, aloneBefore + 1);
  assert.equal(s.resumed, 1);
  assert.equal(r.stalledCalls, 0, 'not cut yet');
  // On its own, it holds nobody back however full it gets...
  const t = peer('t');
  overflow(r, t);
  assert.equal(isHeld(t), false);
  sweep();
  assert.equal(flowStats.alone, aloneBefore + 1, 'counted once');
  // ...until it drains below LOW: then it may hold senders again.
  r.out = 0;
  progressed(r, false);
  assert.equal(r.flow!.alone, false);
  overflow(r, t);
  assert.equal(isHeld(t), true);
});

test('a reader that drains but stays over the mark holds senders for HOLD_MS at most', () => {
  const s = peer('s');
  const r = peer('r');
  overflow(r, s);
  for (let k = 0; k < HOLD_MS / 250; k++) {
    clock.t += 250;
    progressed(r, false); // progress, still over LOW
    sweep();
  }
  assert.equal(r.flow!.alone, false, 'exactly HOLD_MS: still holding');
  clock.t += 1;
  sweep();
  assert.equal(r.flow!.alone, true);
  assert.equal(s.resumed, 1);
});

test('no progress for the send-queue timeout: the reader is cut; exactly the timeout is not yet', () => {
  const r = peer('r', 5_000);
  overflow(r, peer('s'));
  clock.t += 5_000;
  sweep();
  assert.equal(r.stalledCalls, 0);
  clock.t += 1;
  sweep();
  assert.equal(r.stalledCalls, 1);
});

test('a write in flight to a reader that is not congested is watched too: cut when it never lands', () => {
  const r = peer('r', 5_000);
  r.out = 100;
  progressed(r, false);
  assert.equal(r.flow, null, 'a finished write on an idle link makes no state');
  progressed(r, true);
  assert.notEqual(r.flow, null);
  clock.t += 5_001;
  sweep();
  assert.equal(r.stalledCalls, 1);
});

test('the watch forgets readers with nothing pending and readers that are gone', () => {
  const idle = peer('idle');
  idle.out = 10;
  progressed(idle, true);
  sweep();
  assert.equal(idle.polls, 1, 'polled while its write is pending');
  idle.out = 0;
  progressed(idle, false);
  sweep();
  assert.equal(idle.polls, 2, 'polled once more, then dropped');
  sweep();
  assert.equal(idle.polls, 2);

  const gone = peer('gone');
  gone.out = 10;
  progressed(gone, true);
  gone.gone = true;
  sweep();
  assert.equal(gone.polls, 0, 'a gone peer is not polled');
  gone.gone = false;
  sweep();
  assert.equal(gone.polls, 0, 'and no longer watched');
});

test('a congested reader with nothing pending stays watched until it says so, and is not cut', () => {
  const r = peer('r', 5_000);
  overflow(r, peer('s'));
  r.out = 0; // its queue emptied without progressed() (yet)
  sweep();
  sweep();
  assert.equal(r.polls, 2);
  clock.t += 5_001;
  sweep();
  assert.equal(r.stalledCalls, 0, 'nothing pending: nothing to time out');
});

test('a reader that once congested is watched again for its next write in flight, and only then', () => {
  const r = peer('r', 5_000);
  overflow(r, peer('s'));
  r.out = 0;
  progressed(r, false);
  sweep(); // nothing pending, not congested: no longer watched
  const polls = r.polls;
  // A write finished with more queued (it goes out in this turn's pass): nothing to watch yet.
  r.out = 100;
  progressed(r, false);
  clock.t += 5_001;
  sweep();
  assert.equal(r.polls, polls, 'not watched');
  assert.equal(r.stalledCalls, 0);
  // A write in flight: watched, and cut when it never lands.
  progressed(r, true);
  clock.t += 5_001;
  sweep();
  assert.equal(r.stalledCalls, 1);
});

test('a write in flight for over STALL_MS without congestion leaves the reader able to hold senders', () => {
  const r = peer('r');
  r.out = 100;
  progressed(r, true);
  clock.t += STALL_MS + HOLD_MS + 1;
  const aloneBefore = flowStats.alone;
  sweep();
  assert.equal(r.flow!.alone, false, 'not congested: not left on its own');
  assert.equal(flowStats.alone, aloneBefore);
  const s = peer('s');
  overflow(r, s);
  assert.equal(isHeld(s), true);
});

test('one watchdog timer at most, and none once nothing is watched', () => {
  const realSet = globalThis.setInterval;
  const realClear = globalThis.clearInterval;
  let live = 0;
  globalThis.setInterval = ((fn: () => void, ms: number) => {
    live++;
    return realSet(fn, ms);
  }) as unknown as typeof setInterval;
  globalThis.clearInterval = ((t: NodeJS.Timeout) => {
    live--;
    realClear(t);
  }) as unknown as typeof clearInterval;
  try {
    const peers = [peer('a'), peer('b'), peer('c')];
    for (const p of peers) {
      p.out = 10;
      progressed(p, true);
    }
    assert.equal(live, 1, 'one timer for every watched peer');
    peers[0].gone = true;
    sweep();
    assert.equal(live, 1, 'still watching two');
    for (const p of peers) p.gone = true;
    sweep();
    assert.equal(live, 0, 'nothing watched: the timer is cleared');
    sweep();
    assert.equal(live, 0, 'and not cleared twice');
  } finally {
    globalThis.setInterval = realSet;
    globalThis.clearInterval = realClear;
  }
});
