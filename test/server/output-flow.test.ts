// output.ts and flow control over a scripted socket: output past the high-water mark holds the current sender, a write taken whole releases it, a write stuck past the send-queue timeout is cut.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { highWater, isHeld, setCurrent, sweep } from '../../src/server/flow.js';
import { Out, forgetOutputs, heldBy, line, turn } from './output-kit.js';

afterEach(forgetOutputs);

test('pending output past the high-water mark holds the current sender back, at the mark does not', () => {
  const sendq = 1 << 20;
  const mark = highWater(sendq);
  const sender = new Out();
  const r = new Out(sendq);
  r.kernel.room = 0;
  setCurrent(sender);
  r.sendText(line('m'.repeat(mark - 2)));
  assert.equal(r.pending(), mark);
  assert.equal(isHeld(sender), false);
  r.sendText('x');
  assert.equal(isHeld(sender), true);
  setCurrent(null);
});

test('a write the kernel takes whole releases the senders a congested reader held', async () => {
  const r = new Out();
  const sender = heldBy(r);
  await turn();
  assert.equal(r.kernel.writes, 1);
  assert.equal(isHeld(sender), false);
  assert.equal(sender.resumes, 1);
});

test('a write that stays in flight past the send-queue timeout is cut by the watchdog', async () => {
  const o = new Out();
  o.kernel.room = 0;
  o.sendText(line('never read'));
  await turn();
  o.t += 29_000;
  sweep();
  assert.equal(o.overflows, 0);
  o.t += 2_000;
  sweep();
  assert.equal(o.overflows, 1);
});

test('a write the kernel took unnoticed does not count toward the high-water mark', async () => {
  const sendq = 1 << 20;
  const sender = new Out();
  const r = new Out(sendq);
  r.kernel.room = 0;
  r.sendText(line('w'.repeat(highWater(sendq) - 100)));
  await turn();
  r.kernel.take(); // finished, no drain seen
  setCurrent(sender);
  r.sendText(line('w'.repeat(1000))); // in flight + this > HIGH, but nothing is in flight now
  setCurrent(null);
  assert.equal(isHeld(sender), false);
});

test('a reader that leaves lets the senders it held go on', () => {
  const r = new Out();
  const sender = heldBy(r);
  r.leave();
  assert.equal(isHeld(sender), false);
  assert.equal(sender.resumes, 1);
});

test('writes the kernel takes whole leave no flow state and the scratch slab in use', async () => {
  const o = new Out();
  o.sendText(line('zero')); // whatever earlier tests left claimed is rewound after this pass
  await turn();
  o.sendText(line('one'));
  await turn();
  const first = o.kernel.last!.buffer;
  o.sendText(line('two'));
  await turn();
  assert.ok(o.kernel.last!.buffer === first, 'the same slab, not a fresh one each turn');
  assert.equal(o.flow, null, 'an idle reader carries no flow state');
});
