// connection.ts rule by rule, bytes handed in by hand: line framing, the wire limits, the receive queue, closing once, real sockets (connection-held.test.ts: the flood bucket and flow control's hold).
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import net, { Socket } from 'node:net';
import { Connection, nowhereConn } from '../../src/server/connection.js';
import { MAX_CLIENT_TAGS_BYTES, MAX_LINE_BODY } from '../../src/server/limits.js';
import { conn, forgetConnections, made, sockets, type Seen } from './connection-kit.js';

afterEach(forgetConnections);

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
