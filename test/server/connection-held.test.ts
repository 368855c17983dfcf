// connection.ts's input held back, bytes handed in by hand: the flood bucket and its timer, and a connection that flow control holds, its lines waiting in order.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LINE_BODY } from '../../src/server/limits.js';
import { congested, release } from '../../src/server/flow.js';
import { conn, drainHeld, forgetConnections, fullReader } from './connection-kit.js';

afterEach(forgetConnections);

test('the flood bucket: a burst at once, then one line per token, in order, 417s in place', () => {
  const s = conn({ flood: { burst: 3, rate: 2 } });
  s.feed('1\r\n2\r\n3\r\n4\r\n5\r\n');
  assert.deepEqual(s.lines, ['1', '2', '3']);
  s.feed(`${'b'.repeat(MAX_LINE_BODY + 1)}\r\n6\r\n`);
  assert.deepEqual(s.lines, ['1', '2', '3'], 'a 417 waits behind the lines before it');
  s.clock.t += 499;
  drainHeld(s); // the timer's work, early
  assert.deepEqual(s.lines, ['1', '2', '3'], 'no whole token in 499 ms at 2 per second');
  s.clock.t += 1;
  drainHeld(s);
  assert.deepEqual(s.lines, ['1', '2', '3', '4']);
  s.clock.t += 1000;
  drainHeld(s);
  assert.deepEqual(s.lines, ['1', '2', '3', '4', '5', '<417>']);
  s.clock.t += 60_000; // a long pause refills the bucket only up to its burst
  drainHeld(s);
  s.feed('7\r\n8\r\n9\r\n10\r\n');
  assert.deepEqual(s.lines.slice(6), ['6', '7', '8']);
});

test('the flood timer hands held lines on by itself', async () => {
  const s = conn({ flood: { burst: 1, rate: 100 } }, false);
  s.clock.t = Date.now();
  const real = setInterval(() => (s.clock.t = Date.now()), 2);
  s.feed('a\r\nb\r\nc\r\n');
  assert.deepEqual(s.lines, ['a']);
  for (let i = 0; i < 100 && s.lines.length < 3; i++) await new Promise((r) => setTimeout(r, 5));
  clearInterval(real);
  assert.deepEqual(s.lines, ['a', 'b', 'c']);
  assert.deepEqual(s.raw, ['a'], 'held lines go to `line`, not the fast path');
});

test('held lines past the receive queue close the link with Excess Flood', () => {
  const s = conn({ recvq: 20, flood: { burst: 1, rate: 1 } });
  s.feed('first\r\n');
  s.feed('0123456789\r\n0123456789\r\n'); // 10 + 10 bytes held: at the cap
  assert.deepEqual(s.closed, []);
  s.feed('x\r\n');
  assert.deepEqual(s.closed, ['Excess Flood']);
});

test('turning flood control off hands every held line on at once', () => {
  const s = conn({ flood: { burst: 1, rate: 1 } });
  s.feed('a\r\nb\r\nc\r\n');
  assert.deepEqual(s.lines, ['a']);
  s.conn.setLimits({ sendq: 1 << 20, sendqTimeout: 30_000, recvq: 8192, flood: null });
  assert.deepEqual(s.lines, ['a', 'b', 'c']);
  s.feed('d\r\n');
  assert.deepEqual(s.lines, ['a', 'b', 'c', 'd']);
});

test('held back by a full recipient, the rest of the input waits in order and goes on after release', async () => {
  const reader = fullReader();
  const s = conn({}, false, (l) => l === 'BIG' && congested(reader));
  s.feed('a\r\nBIG\r\nb\r\nc\r\n');
  assert.deepEqual(s.lines, ['a', 'BIG'], 'the line that filled the reader finishes, no more');
  s.feed('d\r\ne'); // read before the pause took effect: kept behind the rest
  assert.deepEqual(s.lines, ['a', 'BIG']);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(s.lines, ['a', 'BIG'], 'still held');
  release(reader);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(s.lines, ['a', 'BIG', 'b', 'c', 'd']);
  s.feed('\r\n');
  assert.deepEqual(s.lines, ['a', 'BIG', 'b', 'c', 'd', 'e']);
});

test('held back after a piece ended by CR, the rest of that line waits too', async () => {
  const reader = fullReader();
  const s = conn({}, false, (l) => l === 'BIG' && congested(reader));
  s.feed('a\rBIG\rb\rc\r\nd\r\n');
  assert.deepEqual(s.lines, ['a', 'BIG']);
  release(reader);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(s.lines, ['a', 'BIG', 'b', 'c', 'd']);
});

test('lines waiting for the bucket count toward the receive queue with an unfinished one', () => {
  const s = conn({ recvq: 20, flood: { burst: 1, rate: 1 } });
  s.feed('a\r\n0123456789\r\n'); // 10 bytes held
  assert.deepEqual(s.closed, []);
  s.feed('0123456789A'); // 11 unfinished: 21 in all
  assert.deepEqual(s.closed, ['Receive queue exceeded']);
});

test('a line never jumps ahead of held ones, even when a token is back', () => {
  const s = conn({ flood: { burst: 1, rate: 2 } });
  s.feed('a\r\nb\r\n');
  assert.deepEqual(s.lines, ['a']);
  s.clock.t += 500; // one token again
  s.feed('c\r\n');
  assert.deepEqual(s.lines, ['a'], 'c waits behind b');
  drainHeld(s);
  assert.deepEqual(s.lines, ['a', 'b'], 'the token goes to the oldest line');
  s.feed(Buffer.from([0x62, 0x61, 0x64, 0xff, 13, 10]));
  for (let i = 0; i < 2; i++) {
    s.clock.t += 500; // the bucket holds one token at most
    drainHeld(s);
  }
  assert.deepEqual(s.lines, ['a', 'b', 'c', '<bad>bad\uFFFD'], 'held, it is still flagged');
});

test('held again while its flood backlog drains, a connection hands on nothing more until released', async () => {
  const reader = fullReader();
  const s = conn({ flood: { burst: 1, rate: 1 } }, false, (l) => l === 'BIG' && congested(reader));
  s.feed('x\r\nBIG\r\nb\r\n'); // x takes the token; BIG and b wait for the bucket
  assert.deepEqual(s.lines, ['x']);
  s.clock.t += 1000;
  drainHeld(s);
  assert.deepEqual(s.lines, ['x', 'BIG'], 'BIG fills the reader: held');
  s.clock.t += 1000;
  drainHeld(s); // the bucket has a token again, but flow control holds the connection
  assert.deepEqual(s.lines, ['x', 'BIG']);
  release(reader);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(s.lines, ['x', 'BIG', 'b']);
});

test('a full read that ended held yields its turn without handing on more', async () => {
  const reader = fullReader();
  const s = conn({}, false, (l) => l === 'BIG' && congested(reader));
  s.feed('BIG\r\nb\r\n');
  s.conn.yieldTurn(); // as after a read that filled the buffer
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(s.lines, ['BIG'], 'still held after the flush pass');
  release(reader);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(s.lines, ['BIG', 'b']);
});
