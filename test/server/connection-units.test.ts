// connection.ts rule by rule, bytes handed in by hand: line framing, the wire limits, the receive queue, the flood bucket, closing once.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import net, { Socket } from 'node:net';
import { Connection, nowhereConn, type ConnectionLimits } from '../../src/server/connection.js';
import { MAX_CLIENT_TAGS_BYTES, MAX_LINE_BODY } from '../../src/server/limits.js';
import { congested, Flow, forget, release, sweep, type FlowPeer } from '../../src/server/flow.js';

interface Seen {
  conn: Connection;
  /** Lines in order; a 417 shows as '<417>', a line that was not UTF-8 as '<bad>' + text. */
  lines: string[];
  raw: string[];
  closed: string[];
  clock: { t: number };
  feed(bytes: string | Buffer): void;
}

const made: Connection[] = [];
const readers: FlowPeer[] = [];
/** Real sockets of a test, destroyed after it whatever happened. */
const sockets: net.Socket[] = [];
afterEach(() => {
  for (const so of sockets.splice(0)) so.destroy();
  for (const c of made.splice(0)) c.onGone('test over');
  for (const r of readers.splice(0)) forget(r);
  sweep();
});

/** A recipient that is over its high-water mark whenever `congested` is called for it. */
function fullReader(): FlowPeer {
  const r: FlowPeer = {
    flow: null as Flow | null,
    pending: () => 1 << 20,
    sendqBytes: () => 1 << 20,
    sendqTimeout: () => 30_000,
    now: () => 0,
    isGone: () => false,
    flowState() {
      return ((this as { flow: Flow | null }).flow ??= new Flow());
    },
    resume: () => {},
    stalled: () => {},
    poll: () => {},
  };
  readers.push(r);
  return r;
}

/** A Connection on a socket that is never connected; input is handed to onData directly. */
function conn(
  limits: Partial<ConnectionLimits> = {},
  rawTakes = false,
  after: (line: string) => void = () => {},
): Seen {
  const clock = { t: 1_000_000 };
  const lines: string[] = [];
  const raw: string[] = [];
  const closed: string[] = [];
  const c = new Connection(
    new Socket(),
    { sendq: 1 << 20, sendqTimeout: 30_000, recvq: 8192, flood: null, ...limits },
    {
      line: (_c, line, utf8) => {
        lines.push(utf8 ? line : `<bad>${line}`);
        after(line);
      },
      rawLine: (_c, buf, s, e) => {
        raw.push(buf.toString('latin1', s, e));
        return rawTakes;
      },
      lineTooLong: () => lines.push('<417>'),
      closed: (_c, reason) => closed.push(reason),
    },
    () => clock.t,
  );
  made.push(c);
  return {
    conn: c,
    lines,
    raw,
    closed,
    clock,
    feed(bytes) {
      // Stale bytes after the end, as the shared read buffer has them, must never count.
      const b = Buffer.from(bytes);
      const withStale = Buffer.concat([b, Buffer.from('\n\rSTALE\nMORE\r\n')]);
      c.onData(withStale, b.length);
    },
  };
}

/** The flood timer's work, done now: hand on the held lines the bucket allows at `s.clock`. */
function drainHeld(s: Seen): void {
  (s.conn as unknown as { drainWaiting(): void }).drainWaiting();
}

test('LF, CR LF and a lone CR end lines; empty lines are skipped; stale bytes never count', () => {
  const s = conn();
  s.feed('one\r\ntwo\nthree\rfour\n\r\n\n\rfive');
  assert.deepEqual(s.lines, ['one', 'two', 'three', 'four']);
  s.feed(' more\n');
  assert.deepEqual(s.lines, ['one', 'two', 'three', 'four', 'five more']);
  s.feed('a\rb\rc\r\n');
  assert.deepEqual(s.lines.slice(5), ['a', 'b', 'c']);
});

test('a line arriving in pieces is handed on once, whole', () => {
  const s = conn();
  for (const piece of ['PRIV', 'MSG #a :hel', 'lo', '\r', '\nNEXT\r\n']) s.feed(piece);
  assert.deepEqual(s.lines, ['PRIVMSG #a :hello', 'NEXT']);
});

test('when the unfinished line began is kept until it ends (a trickle keeps the first time)', () => {
  const s = conn();
  s.feed('done\r\n');
  assert.equal(s.conn.lineStartedAt, 0);
  s.clock.t += 10;
  s.feed('PRIV');
  const began = s.clock.t;
  assert.equal(s.conn.lineStartedAt, began);
  s.clock.t += 1000;
  s.feed('MSG');
  assert.equal(s.conn.lineStartedAt, began, 'the same line goes on arriving');
  assert.equal(s.conn.lastActivity, s.clock.t);
  s.clock.t += 1000;
  s.feed(' x :y\r\nNEW');
  assert.equal(s.conn.lineStartedAt, s.clock.t, 'a line ended: the tail is a new line');
  s.feed('\r\n');
  assert.equal(s.conn.lineStartedAt, 0);
});

test('an unfinished line may fill the receive queue exactly, not pass it', () => {
  const s = conn({ recvq: 100 });
  s.feed('x'.repeat(100));
  assert.deepEqual(s.closed, []);
  const t = conn({ recvq: 100 });
  t.feed('x'.repeat(101));
  assert.deepEqual(t.closed, ['Receive queue exceeded']);
  t.feed('more\r\n');
  assert.deepEqual(t.lines, [], 'nothing is read once closing');
});

test('the body and tag limits: at the limit a line passes, one byte over it gets 417', () => {
  const s = conn();
  const tags = `@${'t'.repeat(MAX_CLIENT_TAGS_BYTES)}`;
  s.feed(`${tags} PING a\r\n`);
  s.feed(`@${'t'.repeat(MAX_CLIENT_TAGS_BYTES + 1)} PING b\r\n`);
  s.feed(`${'b'.repeat(MAX_LINE_BODY)}\r\n`);
  s.feed(`${'b'.repeat(MAX_LINE_BODY + 1)}\r\n`);
  s.feed(`${tags} ${'b'.repeat(MAX_LINE_BODY)}\r\n`);
  s.feed(`${tags} ${'b'.repeat(MAX_LINE_BODY + 1)}\r\n`);
  s.feed(`@${'t'.repeat(MAX_CLIENT_TAGS_BYTES + 1)}\r\n`); // tags and no space at all
  assert.deepEqual(
    s.lines.map((l) => (l.length > 20 ? `${l.slice(-6)}/${l.length}` : l)),
    [
      `PING a/${MAX_CLIENT_TAGS_BYTES + 8}`,
      '<417>',
      `bbbbbb/${MAX_LINE_BODY}`,
      '<417>',
      `bbbbbb/${MAX_CLIENT_TAGS_BYTES + 2 + MAX_LINE_BODY}`,
      '<417>',
      '<417>',
    ],
  );
});

test('a line without tags is offered undecoded first; a tagged one is not; bad UTF-8 is flagged', () => {
  const taken = conn({}, true);
  taken.feed('PRIVMSG bob :hi\r\n@a=b PRIVMSG bob :tagged\r\n');
  assert.deepEqual(taken.raw, ['PRIVMSG bob :hi']);
  assert.deepEqual(taken.lines, ['@a=b PRIVMSG bob :tagged']);
  const declined = conn({}, false);
  declined.feed(Buffer.from([0x41, 0xff, 0x42, 10, 0xc3, 0xa9, 10]));
  assert.deepEqual(declined.lines, ['<bad>A\uFFFDB', 'é']);
});

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

test('closing tells the owner once, whatever follows', () => {
  const s = conn();
  s.conn.close('Quit: bye', Buffer.from('ERROR :bye\r\n'));
  s.conn.close('again', null);
  s.conn.onGone('Connection closed');
  assert.deepEqual(s.closed, ['Quit: bye']);
  const t = conn();
  t.conn.onGone('Connection reset by peer');
  t.conn.onGone('Connection closed');
  t.conn.close('late', null);
  assert.deepEqual(t.closed, ['Connection reset by peer']);
  t.feed('after\r\n');
  assert.deepEqual(t.lines, []);
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

test('a full read yields the turn: the socket pauses and reading goes on after the flush pass', async () => {
  const s = conn();
  const socket = s.conn.socket;
  s.conn.yieldTurn();
  assert.equal(socket.isPaused(), true);
  await new Promise((r) => setImmediate(r));
  assert.equal(socket.isPaused(), false);
});

test('a connection without an address, and its limits, as given', () => {
  const s = conn({ sendqTimeout: 12_345 });
  assert.equal(s.conn.ip, '0.0.0.0');
  assert.equal(s.conn.sendqTimeout(), 12_345);
  assert.notEqual(conn().conn.id, s.conn.id);
});

test('a line that closes the connection ends the reading of its chunk', () => {
  const s = conn({}, false, (l) => l === 'QUIT' && s.conn.close('Quit', null));
  s.feed('a\r\nQUIT\r\nb\r\nc\rd\r\n');
  assert.deepEqual(s.lines, ['a', 'QUIT']);
  assert.deepEqual(s.closed, ['Quit']);
  assert.equal(s.conn.isGone(), true);
  s.conn.sendText('after\r\n');
  assert.equal(s.conn.pending(), 0, 'nothing is queued once closing');
});

test('last words past the send queue: the owner hears of it once, as SendQ exceeded', () => {
  const s = conn({ sendq: 100 });
  s.conn.close('Quit', Buffer.from(`ERROR :${'x'.repeat(200)}\r\n`));
  assert.deepEqual(s.closed, ['SendQ exceeded']);
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

test('tag sections: one without a space is no body for the fast path; the limit is per line', () => {
  const s = conn({ recvq: 1 << 20 }, true);
  s.feed('@a=b\r\n');
  assert.deepEqual(s.raw, []);
  assert.deepEqual(s.lines, ['@a=b']);
  // Far into a chunk, a short tag section is still short.
  s.feed(`${'x'.repeat(400)}\r\n`.repeat(12) + '@a=b PING\r\n');
  assert.equal(s.lines.at(-1), '@a=b PING');
});

test('owners without a fast path get every line the usual way', () => {
  const lines: string[] = [];
  const c = new Connection(
    new Socket(),
    { sendq: 1 << 20, sendqTimeout: 30_000, recvq: 8192, flood: null },
    { line: (_c, l) => lines.push(l), lineTooLong: () => {}, closed: () => {} },
  );
  made.push(c);
  c.onData(Buffer.from('PRIVMSG a :b\r\n'), 14);
  assert.deepEqual(lines, ['PRIVMSG a :b']);
});

test('the connection of those with none is one, closed from the start', () => {
  const n = nowhereConn();
  assert.equal(nowhereConn(), n);
  assert.equal(n.isGone(), true);
  n.sendText('dropped\r\n');
  assert.equal(n.pending(), 0);
});

/** A Connection on a real accepted socket, and the peer's end. */
async function realPair(): Promise<{ s: Seen; peer: net.Socket }> {
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  const peer = net.connect(port, '127.0.0.1');
  const socket = await new Promise<net.Socket>((r) => server.once('connection', r));
  server.close();
  sockets.push(peer, socket);
  const lines: string[] = [];
  const closed: string[] = [];
  const c = new Connection(
    socket,
    { sendq: 1 << 20, sendqTimeout: 30_000, recvq: 8192, flood: null },
    { line: (_c, l) => lines.push(l), lineTooLong: () => {}, closed: (_c, r) => closed.push(r) },
  );
  const s = { conn: c, lines, raw: [], closed, clock: { t: 0 }, feed: () => {} };
  return { s, peer };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
};

test('over a real socket: the reason a link ended is said as it happened', async () => {
  const reset = await realPair();
  reset.peer.resetAndDestroy();
  await until(() => reset.s.closed.length > 0);
  assert.deepEqual(reset.s.closed, ['Connection reset by peer']);
  const ended = await realPair();
  ended.peer.write('last line\r\n');
  ended.peer.end();
  await until(() => ended.s.closed.length > 0);
  assert.deepEqual(ended.s.lines, ['last line']);
  assert.deepEqual(ended.s.closed, ['Connection closed']);
});

test('over a real socket: a peer that does not close after our goodbye is cut within a second', async () => {
  const { s, peer } = await realPair();
  peer.on('end', () => {}); // reads our FIN, never closes its side
  peer.allowHalfOpen = true;
  s.conn.close('Bye', null);
  assert.equal(s.conn.socket.destroyed, false);
  await until(() => s.conn.socket.destroyed);
  assert.equal(s.conn.socket.destroyed, true);
  peer.destroy();
});

test('over a real socket: at most one full read of input is handled per event-loop turn', async () => {
  const { s, peer } = await realPair();
  let turn = 0;
  let ticking = true;
  const tick = () => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const perTurn = new Map<number, number>();
  const seen = s.lines;
  seen.push = (...l: string[]) => {
    perTurn.set(turn, (perTurn.get(turn) ?? 0) + l.length);
    return Array.prototype.push.apply(seen, l);
  };
  const line = `${'p'.repeat(98)}\r\n`;
  const count = 6000; // 600 KB: several full reads waiting at once
  peer.write(line.repeat(count));
  await until(() => seen.length === count);
  ticking = false;
  assert.equal(seen.length, count);
  const most = Math.max(...perTurn.values());
  assert.ok(most <= Math.ceil((64 * 1024) / line.length) + 1, `${most} lines in one turn`);
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
