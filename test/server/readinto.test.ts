// Input framing is the same whether accepted sockets read into the shared buffer or emit 'data'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Listener } from '../../src/server/listener.js';
import { readInto, readIntoAvailable, setReadInto } from '../../src/server/readinto.js';
import { startServer, TestClient } from '../helpers/irc.js';

test('this Node supports user-buffer reads on accepted sockets (else the server silently falls back)', () => {
  assert.equal(readIntoAvailable(), true);
});

// First in this file, before any test turns it off or on: what a server does by default.
test("by default a server's accepted sockets read into the shared buffer, not through 'data' events", async () => {
  const srv = await startServer();
  try {
    const c = await TestClient.register(srv.port, 'alice', [], false);
    const socket = srv.server.network.findUser('alice')!.client.conn.socket;
    const cb = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'kBufferCb')!;
    assert.equal(typeof (socket as unknown as Record<symbol, unknown>)[cb], 'function');
    assert.equal(socket.listenerCount('data'), 0);
    c.destroy();
  } finally {
    await srv.stop();
  }
});

for (const mode of ['shared read buffer', "'data' events"] as const) {
  test(`framing with ${mode}: split lines, many lines per read, long lines, a partial line at close`, async () => {
    setReadInto(mode === 'shared read buffer');
    const srv = await startServer();
    try {
      const bob = await TestClient.register(srv.port, 'bob');
      const alice = await TestClient.connect(srv.port);
      // Registration one byte per write: every line is split across reads.
      for (const byte of Buffer.from('NICK alice\r\nUSER alice 0 * :Alice\r\n')) {
        alice.socket.write(Buffer.from([byte]));
        await new Promise((r) => setImmediate(r));
      }
      await alice.expectCommand('001', 'alice');
      // A hundred lines in one write, a multi-byte character split between two writes.
      const many = Array.from({ length: 100 }, (_, i) => `PRIVMSG bob :n${i}\r\n`).join('');
      alice.socket.write(many);
      // The split is certain: a PING goes with the first half, and only once its PONG is back (so
      // the server has read the half-line) is the rest written.
      const euro = Buffer.from('PRIVMSG bob :price 5€\r\n');
      const cut = euro.indexOf(0xe2) + 1;
      alice.socket.write(Buffer.concat([Buffer.from('PING :half\r\n'), euro.subarray(0, cut)]));
      await alice.expect((m) => m.command === 'PONG' && m.params[1] === 'half');
      alice.socket.write(euro.subarray(cut));
      for (let i = 0; i < 100; i++) await bob.expectCommand('PRIVMSG', 'bob', `n${i}`);
      await bob.expectCommand('PRIVMSG', 'bob', 'price 5€');
      // A line longer than the read buffer's worth of one write, in several pieces: 417, then on.
      const long = `PRIVMSG bob :${'x'.repeat(70_000)}\r\n`;
      alice.socket.write(long.slice(0, 30_000));
      alice.socket.write(long.slice(30_000) + 'PRIVMSG bob :after\r\n');
      await alice.expectCommand('417', 'alice');
      await bob.expectCommand('PRIVMSG', 'bob', 'after');
      // LF-only lines, a bare CR between two commands, and tag sections without a space.
      alice.socket.write('PRIVMSG bob :lf1\nPRIVMSG bob :lf2\rPRIVMSG bob :cr3\n\r\n');
      alice.socket.write(`@${'t'.repeat(20)}\n@x\n`.repeat(50) + 'PRIVMSG bob :after tags\r\n');
      for (const text of ['lf1', 'lf2', 'cr3', 'after tags']) {
        await bob.expectCommand('PRIVMSG', 'bob', text);
      }
      alice.socket.end('PRIVMSG bob :never finished');
      await bob.expectCommand('QUIT');
      assert.equal(bob.all('PRIVMSG').length, 106);
    } finally {
      setReadInto(true);
      await srv.stop();
    }
  });
}

/** A socket accepted by a real Listener (paused, as production hands it over), and its loopback client. */
async function acceptedPair(): Promise<{ socket: net.Socket; client: net.Socket; close(): void }> {
  let accepted: (s: net.Socket) => void = () => {};
  const got = new Promise<net.Socket>((r) => (accepted = r));
  const listener = new Listener({ admit: () => null, accepted });
  const { port } = await listener.listen('127.0.0.1', 0);
  const client = net.connect(port, '127.0.0.1');
  const socket = await got;
  return {
    socket,
    client,
    close() {
      socket.destroy();
      client.destroy();
      void listener.close();
    },
  };
}

test('readInto hands each read to the callback, with the socket as this; off, it leaves the socket alone', async () => {
  const on = await acceptedPair();
  try {
    const got: string[] = [];
    let calledOnSocket = true;
    const ok = readInto(on.socket, function (n, buf) {
      calledOnSocket &&= this === on.socket;
      got.push(buf.subarray(0, n).toString());
    });
    assert.equal(ok, true);
    on.client.write('hello');
    while (got.join('') !== 'hello') await new Promise((r) => setTimeout(r, 5));
    assert.equal(calledOnSocket, true);
  } finally {
    on.close();
  }
  setReadInto(false);
  const off = await acceptedPair();
  try {
    assert.equal(
      readInto(off.socket, () => assert.fail('no user-buffer read when off')),
      false,
    );
    assert.equal(off.socket.isPaused(), true, 'still paused: the caller starts it its own way');
  } finally {
    setReadInto(true);
    off.close();
  }
});

test('readInto declines a socket with no libuv handle, or one without user-buffer reads', () => {
  for (const handle of [null, undefined, {}, { useUserBuffer: 'no' }]) {
    const fake = { _handle: handle } as unknown as net.Socket;
    assert.equal(
      readInto(fake, () => {}),
      false,
      JSON.stringify(handle),
    );
  }
});
