// flow.ts's long replies (a WHO or NAMES too big for one turn): they run while their connection is below LOW, in order, holding its input, and stop when it fills.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  continueWith,
  forget,
  isHeld,
  progressed,
  runMore,
  setCurrent,
  type FlowPeer,
} from '../../src/server/flow.js';
import { forgetPeers, HIGH, LOW, overflow, peer } from './flow-kit.js';

afterEach(forgetPeers);

test('a long reply runs while its connection is below LOW, in order, and holds its input meanwhile', () => {
  const p = peer('p');
  const ran: string[] = [];
  let firstLeft = 2;
  continueWith(p, () => {
    ran.push('first');
    return --firstLeft === 0;
  });
  continueWith(p, () => {
    ran.push('second');
    return true;
  });
  assert.equal(isHeld(p), true, 'no input while a reply is being produced');

  p.out = LOW;
  runMore(p);
  assert.equal(ran.length, 0, 'not below LOW: waits');

  p.out = 0;
  let current: FlowPeer | null = null;
  continueWith(p, () => {
    current = setCurrent(null);
    setCurrent(current);
    ran.push('third');
    return true;
  });
  runMore(p);
  assert.deepEqual(ran, ['first'], 'first is not finished');
  assert.equal(isHeld(p), true);
  runMore(p);
  assert.deepEqual(ran, ['first', 'first', 'second', 'third'], 'finished: the next ones run on');
  assert.equal(current, p, 'a reply runs with its connection as the current sender');
  assert.equal(isHeld(p), false);
  assert.equal(p.flow!.more, null);
  runMore(p); // nothing left: nothing runs
  assert.equal(ran.length, 4);
});

test('a long reply that fills its connection stops the queue behind it until the next drain', () => {
  const p = peer('p');
  const ran: string[] = [];
  continueWith(p, () => {
    ran.push('big');
    p.out = HIGH;
    return true;
  });
  continueWith(p, () => {
    ran.push('next');
    return true;
  });
  runMore(p);
  assert.deepEqual(ran, ['big']);
  assert.equal(isHeld(p), true, 'the next reply still holds the input');
  // Draining below LOW asks the connection to go on, and the next reply runs then.
  p.out = 0;
  progressed(p, false);
  assert.equal(p.resumed, 1);
  runMore(p);
  assert.deepEqual(ran, ['big', 'next']);
  assert.equal(isHeld(p), false);
});

test('a long reply that leaves its connection at exactly LOW does not start the next one', () => {
  const p = peer('p');
  const ran: string[] = [];
  continueWith(p, () => {
    ran.push('first');
    p.out = LOW;
    return true;
  });
  continueWith(p, () => {
    ran.push('second');
    return true;
  });
  runMore(p);
  assert.deepEqual(ran, ['first']);
  p.out = LOW - 1;
  runMore(p);
  assert.deepEqual(ran, ['first', 'second']);
});

test('runMore on a connection with no long reply, or with no flow state, does nothing', () => {
  const p = peer('p');
  runMore(p);
  assert.equal(p.flow, null);
  p.flowState();
  runMore(p);
  assert.equal(isHeld(p), false);
});

test('forget: a reader that is gone lets its senders go, and its long replies are dropped', () => {
  const s = peer('s');
  const r = peer('r');
  overflow(r, s);
  let ran = 0;
  continueWith(r, () => ++ran > 0);
  continueWith(r, () => ++ran > 0);
  forget(r);
  assert.equal(s.resumed, 1);
  assert.equal(r.flow!.more, null);
  assert.deepEqual(r.flow!.queued, []);
  runMore(r);
  assert.equal(ran, 0);
  forget(peer('no-state')); // nothing to do
});
