// output.ts rule by rule over a scripted socket: one write per turn, one write in flight, what waits stays intact, the cap and the marks.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { Output } from '../../src/server/output.js';
import { forget, highWater, isHeld, setCurrent, sweep } from '../../src/server/flow.js';
import { SOON_MS } from '../../src/server/flush.js';

/**
 * The socket as Output sees it (`write`, `writableLength`), with a scripted kernel: each write
 * on an empty socket has `room` bytes taken at once (copied as they are then); the rest is held
 * by reference, as a stream holds it, and taken (copied) only by take().
 */
class Kernel {
  writes = 0;
  /** The Buffer of the last write, as handed. */
  last: Buffer | null = null;
  room = Infinity;
  private got: Buffer[] = [];
  private held: Buffer[] = [];
  writableLength = 0;

  write(b: Buffer): boolean {
    this.writes++;
    this.last = b;
    const now = this.writableLength > 0 ? 0 : Math.min(this.room, b.length);
    this.got.push(Buffer.from(b.subarray(0, now)));
    if (now < b.length) {
      this.held.push(b.subarray(now));
      this.writableLength += b.length - now;
    }
    return this.writableLength === 0;
  }

  /** The reader catches up: everything held is taken. */
  take(): void {
    for (const b of this.held) this.got.push(Buffer.from(b));
    this.held = [];
    this.writableLength = 0;
  }

  received(): string {
    return Buffer.concat(this.got).toString('utf8');
  }
}

class Out extends Output {
  readonly kernel = new Kernel();
  readonly socket = this.kernel as unknown as Socket; // only write and writableLength are used
  overflows = 0;
  resumes = 0;
  t = 1_000_000;
  constructor(private readonly cap = 1 << 20) {
    super();
    made.push(this);
  }
  protected get sendq(): number {
    return this.cap;
  }
  protected overflow(): void {
    this.overflows++;
    this.closed = true;
  }
  now(): number {
    return this.t;
  }
  sendqTimeout(): number {
    return 30_000;
  }
  resume(): void {
    this.resumes++;
  }
  resumeNow(): void {}
  flushes = 0;
  soonPasses = 0;
  override flush(force = false): void {
    this.flushes++;
    super.flush(force);
  }
  override flushSoon(): void {
    this.soonPasses++;
    super.flushSoon();
  }
  /** As Connection.close does with flow control. */
  leave(): void {
    this.closing = true;
    this.releaseFlow();
  }
}

const made: Out[] = [];
afterEach(() => {
  setCurrent(null);
  for (const o of made.splice(0)) {
    o.closing = true;
    forget(o);
  }
  sweep();
});

const turn = () => new Promise((r) => setImmediate(r));
const line = (s: string) => `${s}\r\n`;

/** Another connection filling scratch space with `fill` in the next turn, over anything left there. */
async function scribble(fill = 'X'): Promise<void> {
  const other = new Out();
  for (let i = 0; i < 300; i++) other.sendText(line(fill.repeat(1000)));
  await turn();
}

/** An output whose write of `first` is left in flight (the kernel took 5 bytes), with `then`
 * queued behind it in the next turn. */
async function inFlight(first: string, ...then: string[]): Promise<Out> {
  const o = new Out();
  o.kernel.room = 5;
  o.sendText(line(first));
  await turn();
  for (const t of then) o.sendText(line(t));
  if (then.length > 0) await turn();
  return o;
}

/** A sender that `r` holds back: r's pending output passed HIGH during one of its lines. */
function heldBy(r: Out): Out {
  const sender = new Out();
  setCurrent(sender);
  r.sendText(line('m'.repeat(highWater(1 << 20))));
  setCurrent(null);
  assert.equal(isHeld(sender), true);
  return sender;
}

test('a turn of text, raw and shared lines goes out as one write, in order', async () => {
  const o = new Out();
  const shared = Buffer.from(line('SHARED'));
  o.sendText(line('one é€😀'));
  o.send(shared);
  o.sendText(line('two'));
  o.sendRaw(Buffer.from(':nick PRIVMSG x :'), 17, Buffer.from('..hello..'), 2, 7);
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
  o.sendRaw(Buffer.from('d'), 1, Buffer.from('e'), 0, 1);
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
  a.sendRaw(head, head.length, text, 0, text.length); // 1024 + CR LF
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
