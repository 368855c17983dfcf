// Connection output: shared Buffers and per-connection text interleave in order, within and across turns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Connection, type ConnectionEvents } from '../../src/server/connection.js';

const events: ConnectionEvents<unknown> = {
  line: () => {},
  lineTooLong: () => {},
  closed: () => {},
};
const turn = () => new Promise((r) => setImmediate(r));

/** A Connection on a real accepted socket, and everything its peer receives. */
async function pair(sendq = 1 << 20): Promise<{
  conn: Connection;
  client: net.Socket;
  received: () => string;
  close: () => void;
}> {
  const server = net.createServer({ pauseOnConnect: true, highWaterMark: 1 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  client.on('data', (d: Buffer) => chunks.push(d));
  const socket = await new Promise<net.Socket>((r) => server.once('connection', r));
  server.close();
  const conn = new Connection(
    socket,
    { sendq, sendqTimeout: 30_000, recvq: 8192, flood: null },
    events,
  );
  return {
    conn,
    client,
    received: () => Buffer.concat(chunks).toString('utf8'),
    close: () => {
      client.destroy();
      socket.destroy();
    },
  };
}

test('text and shared buffers keep their order in one turn and across turns', async () => {
  const a = await pair();
  const b = await pair();
  const shared = Buffer.from('SHARED\r\n');
  const expected: string[] = [];
  for (let t = 0; t < 50; t++) {
    // A turn mixes both kinds, with multi-byte text, for two connections at once.
    for (let i = 0; i < 30; i++) {
      const text = `t${t} m${i} ${'é€😀'.repeat(i % 4)}\r\n`;
      a.conn.sendText(text);
      b.conn.sendText(text);
      expected.push(text);
      if (i % 7 === 3) {
        a.conn.send(shared);
        b.conn.send(shared);
        expected.push('SHARED\r\n');
      }
    }
    await turn();
  }
  const want = expected.join('');
  for (
    let i = 0;
    i < 100 && (a.received().length < want.length || b.received().length < want.length);
    i++
  ) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(a.received(), want);
  assert.equal(b.received(), want);
  a.close();
  b.close();
});

test('a long line and lines in many turns each arrive whole', async () => {
  const a = await pair();
  const long = `${'x'.repeat(20_000)}\r\n`;
  a.conn.sendText('first\r\n');
  a.conn.sendText(long);
  a.conn.sendText('last\r\n');
  await turn();
  a.conn.sendText('only\r\n');
  await turn();
  const want = `first\r\n${long}last\r\nonly\r\n`;
  for (let i = 0; i < 100 && a.received().length < want.length; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(a.received(), want);
  a.close();
});

test('text past the send queue cap closes the connection with SendQ exceeded', async () => {
  const reasons: string[] = [];
  const server = net.createServer({ pauseOnConnect: true, highWaterMark: 1 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect(port, '127.0.0.1');
  client.pause(); // never reads
  const socket = await new Promise<net.Socket>((r) => server.once('connection', r));
  server.close();
  const conn = new Connection(
    socket,
    { sendq: 4096, sendqTimeout: 30_000, recvq: 8192, flood: null },
    { ...events, closed: (_c, reason) => reasons.push(reason) },
  );
  for (let i = 0; i < 100 && reasons.length === 0; i++) conn.sendText(`${'y'.repeat(100)}\r\n`);
  assert.deepEqual(reasons, ['SendQ exceeded']);
  client.destroy();
  socket.destroy();
});

test('bytes the socket of a slow reader still holds survive the next turns reusing scratch space', async () => {
  const slow = await pair(1 << 30);
  const busy = await pair(1 << 30);
  slow.client.pause(); // the kernel buffers fill and a write is left partly done
  const want: string[] = [];
  let heldAt = -1;
  for (let t = 0; t < 1000 && (heldAt < 0 || t < heldAt + 20); t++) {
    for (let i = 0; i < 100; i++) {
      const line = `turn ${t} line ${i} ${'z'.repeat(200)}\r\n`;
      slow.conn.sendText(line);
      want.push(line);
    }
    // Enough other scratch traffic to cover every slab the slow socket's bytes could be in.
    for (let i = 0; i < 1000; i++) busy.conn.sendText(`other ${t} ${i} ${'y'.repeat(200)}\r\n`);
    await turn();
    if (heldAt < 0 && slow.conn.socket.writableLength > 0) heldAt = t;
  }
  assert.ok(heldAt >= 0, 'the slow socket was left holding bytes');
  slow.client.resume();
  const all = want.join('');
  for (let i = 0; i < 500 && slow.received().length < all.length; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  // Compared without assert.equal's diff, which takes minutes on megabytes.
  const got = slow.received();
  let k = 0;
  while (k < all.length && got.charCodeAt(k) === all.charCodeAt(k)) k++;
  assert.ok(
    k === all.length && got.length === all.length,
    `differs at byte ${k}: ${got.slice(k, k + 40)}`,
  );
  slow.close();
  busy.close();
});

test('news sent soon waits for the next line that cannot wait, or goes out by itself, in order', async () => {
  const a = await pair();
  const join = Buffer.from('JOIN-1\r\n');
  a.conn.sendSoon(join);
  await turn();
  assert.equal(a.conn.pending(), join.length, 'a soon line alone is not written in the turn');
  a.conn.sendText('NOW\r\n');
  a.conn.sendSoon(Buffer.from('JOIN-2\r\n'));
  await turn();
  // The line that could not wait took the soon one before it along; the later soon one waits.
  const until = async (text: string) => {
    for (let i = 0; i < 200 && a.received() !== text; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(a.received(), text);
  };
  await until('JOIN-1\r\nNOW\r\nJOIN-2\r\n');
  a.close();
});
