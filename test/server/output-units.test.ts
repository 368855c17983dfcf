// output.ts rule by rule over a scripted socket: one write per turn, one write in flight, what waits stays intact and the cap (output-flow.test.ts has the marks).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { SOON_MS } from '../../src/server/flush.js';
import { claim } from '../../src/server/slab.js';
import { Out, forgetOutputs, inFlight, line, raw, scribble, turn } from './output-kit.js';

afterEach(forgetOutputs);

test('a turn of text, raw and shared lines goes out as one write, in order', async () => {
  const o = new Out();
  const shared = Buffer.from(line('SHARED'));
  o.sendText(line('one é€😀'));
  o.send(shared);
  o.sendText(line('two'));
  raw(o, Buffer.from(':nick PRIVMSG x :'), Buffer.from('hello'));
  o.send(shared);
  assert.equal(o.kernel.writes, 0, 'nothing is written before the flush pass');
  assert.equal(o.pending(), Buffer.byteLength(line('one é€😀') + line('two')) + 2 * 8 + 24);
  await turn();
  assert.equal(o.kernel.writes, 1);
  const first = `${line('one é€😀')}SHARED\r\n${line('two')}:nick PRIVMSG x :hello\r\nSHARED\r\n`;
  assert.equal(o.kernel.received(), first);
  assert.equal(o.pending(), 0);
  o.send(shared);
  await turn();
  o.sendText(line('three'));
  await turn();
  assert.equal(o.kernel.writes, 3);
  assert.equal(o.kernel.received(), `${first}SHARED\r\nthree\r\n`);
});

test('a shared line alone is written as it is; lines past 64 KiB in a turn are still one write', async () => {
  const o = new Out();
  const shared = Buffer.from(line('S'.repeat(100)));
  o.send(shared);
  await turn();
  assert.equal(o.kernel.writes, 1);
  // Two connections alternate, so neither one's scratch claim can simply be extended.
  const a = new Out();
  const b = new Out();
  let want = '';
  for (let i = 0; i < 1000; i++) {
    const l = line(`${i} ${'ab€'.repeat(i % 50)}`);
    a.sendText(l);
    b.sendText(l);
    want += l;
  }
  a.sendText(line('z'.repeat(300_000))); // larger than a scratch slab
  b.sendText(line('z'.repeat(300_000)));
  want += line('z'.repeat(300_000));
  await turn();
  assert.equal(a.kernel.writes, 1);
  assert.equal(b.kernel.writes, 1);
  assert.equal(a.kernel.received(), want);
  assert.equal(b.kernel.received(), want);
});

test('a shared line queued first keeps its place before the text and lines after it', async () => {
  const o = new Out();
  const a = Buffer.from(line('A'));
  const b = Buffer.from(line('B'));
  o.send(a);
  await turn();
  assert.equal(o.kernel.last, a, 'a lone shared line is handed over as the same Buffer, no copy');
  o.send(a);
  o.sendText(line('text'));
  o.send(b);
  o.sendSoon(a);
  await turn();
  o.send(b);
  o.send(a);
  await turn();
  o.send(b);
  o.sendText(line('after'));
  await turn();
  assert.equal(o.kernel.writes, 4);
  const before = `A\r\nA\r\n${line('text')}B\r\nA\r\nB\r\nA\r\nB\r\n${line('after')}`;
  assert.equal(o.kernel.received(), before);
  // Behind a write in flight, a lone shared line waits in order with what follows it.
  o.kernel.room = 1;
  o.send(a);
  await turn();
  o.send(b);
  await turn();
  o.sendText(line('c'));
  await turn();
  o.kernel.room = Infinity;
  o.kernel.take();
  o.onDrain();
  await turn();
  assert.equal(o.kernel.received(), `${before}A\r\nB\r\n${line('c')}`);
  assert.equal(o.pending(), 0);
});

test("a turn's first line sets aside as much scratch space as the connection's last turn used", async () => {
  const o = new Out();
  let want = '';
  for (let i = 0; i < 100; i++) {
    o.sendText(line(`${i} ${'x'.repeat(90)}`));
    want += line(`${i} ${'x'.repeat(90)}`);
  }
  const used = Buffer.byteLength(want);
  await turn();
  o.sendText(line('small'));
  assert.ok(claim(8) >= used, 'the next claim lands after the space set aside');
  await turn();
  o.sendText(line('small'));
  assert.ok(claim(8) < 2048, 'after a small turn, a small claim again');
  await turn();
  assert.equal(o.kernel.received(), want + line('small') + line('small'));
});

test('bytes a socket still holds from scratch space survive the next turns reusing it', async () => {
  const o = new Out();
  o.kernel.room = 10;
  o.sendText(line('a line written from scratch space'));
  await turn();
  assert.equal(o.kernel.writes, 1);
  assert.ok(o.kernel.writableLength > 0, 'the write is left in flight');
  await scribble();
  o.kernel.take();
  assert.equal(o.kernel.received(), line('a line written from scratch space'));
});

test('while a write is in flight nothing more is written; the drain writes what waited as one', async () => {
  const o = new Out();
  o.kernel.room = 5;
  const shared = Buffer.from(line('SHARED'));
  o.sendText(line('first'));
  await turn();
  let want = line('first');
  for (let t = 0; t < 3; t++) {
    o.sendText(line(`text ${t}`));
    o.send(shared);
    o.sendText(line(`more ${t}`));
    want += `${line(`text ${t}`)}SHARED\r\n${line(`more ${t}`)}`;
    await turn();
    await scribble(String(t));
  }
  assert.equal(o.kernel.writes, 1, 'one write in flight at most');
  assert.equal(o.pending(), Buffer.byteLength(want) - 5);
  o.kernel.room = Infinity;
  o.kernel.take();
  o.onDrain();
  assert.equal(o.kernel.writes, 1, 'the drain marks the queue for the next pass');
  await turn();
  assert.equal(o.kernel.writes, 2);
  assert.equal(o.kernel.received(), want);
  assert.equal(o.pending(), 0);
});

test('a drain while the kernel still holds bytes waits for the next one', async () => {
  const o = await inFlight('first', 'second');
  o.onDrain(); // the socket still holds bytes: not done
  await turn();
  assert.equal(o.kernel.writes, 1);
  o.kernel.room = Infinity;
  o.kernel.take();
  o.onDrain();
  await turn();
  assert.equal(o.kernel.writes, 2);
  assert.equal(o.kernel.received(), `${line('first')}${line('second')}`);
});

test('a write that finished without a drain event is noticed by poll()', async () => {
  const o = await inFlight('first', 'second');
  o.kernel.room = Infinity;
  o.kernel.take(); // no 'drain'
  o.poll();
  await turn();
  assert.equal(o.kernel.writes, 2);
  assert.equal(o.kernel.received(), `${line('first')}${line('second')}`);
  o.poll(); // nothing in flight: nothing to do
  await turn();
  assert.equal(o.kernel.writes, 2);
});

test('a forced flush writes with a write in flight, and keeps what it wrote intact', async () => {
  const o = await inFlight('first');
  o.sendText(line('last words'));
  o.flush(true);
  assert.equal(o.kernel.writes, 2);
  await scribble();
  o.kernel.take();
  assert.equal(o.kernel.received(), `${line('first')}${line('last words')}`);
});

test('past the cap the output is dropped and the link overflows once', async () => {
  const o = new Out(4096);
  o.kernel.room = 0;
  let sent = 0;
  for (; sent < 100 && o.overflows === 0; sent++) o.sendText(line('y'.repeat(98)));
  assert.equal(o.overflows, 1);
  assert.equal(sent, 41, 'the 41st line of 100 bytes passes 4096');
  assert.equal(o.pending(), 0, 'what was queued is dropped');
  o.sendText(line('after'));
  o.send(Buffer.from(line('after')));
  await turn();
  assert.equal(o.kernel.writes, 0);
  assert.equal(o.overflows, 1);
});

test('the cap counts the write in flight, unless the kernel took it unnoticed', async () => {
  const held = new Out(4096);
  held.kernel.room = 0;
  held.sendText(line('h'.repeat(2998)));
  await turn();
  assert.equal(held.pending(), 3000);
  held.sendText(line('h'.repeat(1998)));
  assert.equal(held.overflows, 1, '3000 in flight + 2000 queued > 4096');

  const taken = new Out(4096);
  taken.kernel.room = 0;
  taken.sendText(line('t'.repeat(2998)));
  await turn();
  taken.kernel.take(); // finished, but no drain seen yet
  taken.sendText(line('t'.repeat(1998)));
  assert.equal(taken.overflows, 0);
  assert.equal(taken.pending(), 2000);
});

test('news that may wait goes out within SOON_MS, or with the next line that cannot wait', async () => {
  const o = new Out();
  o.sendSoon(Buffer.from(line('JOIN 1')));
  o.sendSoon(Buffer.from(line('JOIN 2')));
  await turn();
  assert.equal(o.kernel.writes, 0);
  await new Promise((r) => setTimeout(r, SOON_MS + 30));
  assert.equal(o.kernel.writes, 1);
  assert.equal(o.kernel.received(), `${line('JOIN 1')}${line('JOIN 2')}`);

  const p = new Out();
  p.sendText(line('before'));
  p.sendSoon(Buffer.from(line('PART')));
  p.sendText(line('after'));
  p.flushSoon(); // this turn's pass will write it: not now
  assert.equal(p.kernel.writes, 0);
  await turn();
  assert.equal(p.kernel.writes, 1);
  assert.equal(p.kernel.received(), `${line('before')}${line('PART')}${line('after')}`);
  await new Promise((r) => setTimeout(r, SOON_MS + 30));
  assert.equal(p.kernel.writes, 1, 'the soon pass finds nothing left');
});

test('a closing or closed output queues nothing; stalled() drops and overflows', async () => {
  const o = new Out();
  o.closing = true;
  assert.equal(o.isGone(), true);
  o.send(Buffer.from(line('a')));
  o.sendSoon(Buffer.from(line('b')));
  o.sendText(line('c'));
  raw(o, Buffer.from('d'), Buffer.from('e'));
  assert.equal(o.pending(), 0);
  await turn();
  assert.equal(o.kernel.writes, 0);

  const s = new Out(12345);
  assert.equal(s.isGone(), false);
  assert.equal(s.sendqBytes(), 12345);
  assert.equal(s.flowState(), s.flowState());
  s.sendText(line('queued'));
  s.stalled();
  assert.equal(s.overflows, 1);
  assert.equal(s.pending(), 0);
  assert.equal(s.isGone(), true);
  await turn();
  assert.equal(s.kernel.writes, 0);
});

test("a line of text or raw bytes that exactly fills its claim stays whole among others' lines", async () => {
  // Claims are rounded up to 8 bytes (at least 1024): 1026 bytes would need more than 1024.
  const a = new Out();
  const b = new Out();
  const head = Buffer.from(':n PRIVMSG x :');
  const text = Buffer.from('r'.repeat(1024 - head.length));
  raw(a, head, text); // 1024 + CR LF
  b.sendText(line('B'.repeat(2000)));
  await turn();
  assert.equal(a.kernel.received(), `${head.toString()}${text.toString()}\r\n`);
  assert.equal(b.kernel.received(), line('B'.repeat(2000)));
});

test("a turn's lines grow as one region, never into another connection's space", async () => {
  const a = new Out();
  const b = new Out();
  let want = '';
  for (let i = 0; i < 10; i++) {
    a.sendText(line(`short ${i} ${'s'.repeat(80)}`));
    want += line(`short ${i} ${'s'.repeat(80)}`);
  }
  b.sendText(line('b1'));
  const long = line('€'.repeat(1500)); // needs room for 3 bytes a unit: far more than doubling
  a.sendText(long);
  want += long;
  for (let i = 0; i < 50; i++) b.sendText(line(`b ${i} ${'b'.repeat(100)}`));
  await turn();
  assert.equal(a.kernel.received(), want);
  assert.equal(b.kernel.writes, 1);
});

test('the queue may fill the cap exactly; one byte more overflows', async () => {
  const o = new Out(4096);
  o.kernel.room = 0;
  o.sendText(line('y'.repeat(4094)));
  assert.equal(o.pending(), 4096);
  assert.equal(o.overflows, 0);
  o.sendText('z');
  assert.equal(o.overflows, 1);
});

test('a connection is flushed once per turn however many lines reach it', async () => {
  const o = new Out();
  for (let i = 0; i < 100; i++) {
    o.sendText(line(`t ${i}`));
    o.send(Buffer.from(line(`s ${i}`)));
  }
  await turn();
  assert.equal(o.flushes, 1);
  assert.equal(o.kernel.writes, 1);
  for (let i = 0; i < 10; i++) o.sendSoon(Buffer.from(line(`j ${i}`)));
  await new Promise((r) => setTimeout(r, SOON_MS + 30));
  assert.equal(o.soonPasses, 1, 'news that may wait is marked once per soon pass');
  assert.equal(o.kernel.writes, 2);
});

test('a turn of text alone is written straight from scratch space, without a copy', async () => {
  const a = new Out();
  const b = new Out();
  for (let i = 0; i < 200; i++) {
    // Interleaved, so each connection's region has to move and grow several times.
    a.sendText(line(`a ${i} ${'x'.repeat(40)}`));
    b.sendText(line(`b ${i}`));
  }
  await turn();
  const slab = 256 * 1024;
  assert.equal(a.kernel.last!.buffer.byteLength, slab, 'a view of a scratch slab');
  assert.equal(b.kernel.last!.buffer.byteLength, slab);
  a.send(Buffer.from(line('shared')));
  a.sendText(line('text'));
  await turn();
  assert.notEqual(a.kernel.last!.buffer.byteLength, slab, 'with a shared line: one copy of both');
});

test('a drain in a turn that already queued lines still means one flush in the pass', async () => {
  const o = await inFlight('first', 'kept'); // 'kept' waits for the drain
  o.kernel.room = Infinity;
  o.kernel.take();
  const before = o.flushes;
  o.sendText(line('x')); // marked for this turn's pass
  o.onDrain();
  o.sendText(line('y'));
  await turn();
  assert.equal(o.flushes - before, 1);
  o.kernel.room = 5;
  o.sendText(line('again'));
  await turn();
  o.sendText(line('waits'));
  await turn();
  o.kernel.room = Infinity;
  o.kernel.take();
  const drained = o.flushes;
  o.onDrain(); // marks the kept lines for the next pass
  o.sendText(line('z'));
  await turn();
  assert.equal(o.flushes - drained, 1);
  assert.equal(
    o.kernel.received(),
    ['first', 'kept', 'x', 'y', 'again', 'waits', 'z'].map(line).join(''),
  );
});

test('a drain with nothing queued behind it schedules nothing', async () => {
  const o = await inFlight('only');
  o.kernel.take();
  const before = o.flushes;
  o.onDrain();
  await turn();
  assert.equal(o.flushes, before);
  assert.equal(o.pending(), 0);
});
