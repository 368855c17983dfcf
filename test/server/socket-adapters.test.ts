// WsSocket and TlsSocket on their own, each around a scripted link: bytes in and out, one message per line, backpressure both ways, ends and errors, and the stream settings flow control relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type tls from 'node:tls';
import type { WebSocket } from 'ws';
import { TlsSocket } from '../../src/server/tls.js';
import { WsSocket } from '../../src/server/websocket.js';

/** A WebSocket as ws presents one, scripted: what was sent, paused, closed or terminated. */
class FakeWs extends EventEmitter {
  readonly CLOSED = 3;
  readyState = 1;
  sent: Array<{ text: string; binary: boolean }> = [];
  /** Callbacks of sends not yet finished, in order. */
  acks: Array<(err?: Error) => void> = [];
  paused = 0;
  resumed = 0;
  closed: number[] = [];
  terminated = 0;

  send(data: Buffer, opts: { binary: boolean }, cb: (err?: Error) => void): void {
    this.sent.push({ text: data.toString(), binary: opts.binary });
    this.acks.push(cb);
  }
  pause(): void {
    this.paused++;
  }
  resume(): void {
    this.resumed++;
  }
  close(code: number): void {
    this.closed.push(code);
  }
  terminate(): void {
    this.terminated++;
  }
}

/** A TLSSocket, scripted the same way. */
class FakeTls extends EventEmitter {
  remoteAddress = '192.0.2.7';
  written: string[] = [];
  acks: Array<(err?: Error | null) => void> = [];
  paused = 0;
  resumed = 0;
  ended = 0;
  destroyed = 0;
  noDelay: Array<boolean | undefined> = [];
  keepAlive: Array<[boolean | undefined, number | undefined]> = [];

  write(chunk: Buffer, cb: (err?: Error | null) => void): boolean {
    this.written.push(chunk.toString());
    this.acks.push(cb);
    return true;
  }
  pause(): void {
    this.paused++;
  }
  resume(): void {
    this.resumed++;
  }
  end(): void {
    this.ended++;
  }
  destroy(): void {
    this.destroyed++;
  }
  setNoDelay(on?: boolean): void {
    this.noDelay.push(on);
  }
  setKeepAlive(on?: boolean, delay?: number): void {
    this.keepAlive.push([on, delay]);
  }
}

const turn = () => new Promise((r) => setImmediate(r));

function ws(binary = false) {
  const link = new FakeWs();
  const socket = new WsSocket(link as unknown as WebSocket, '198.51.100.1', binary);
  return { link, socket };
}

test('WsSocket: each message in is a line with CR LF, in order, whatever form ws hands it in', async () => {
  const { link, socket } = ws();
  assert.equal(socket.remoteAddress, '198.51.100.1');
  const got: string[] = [];
  socket.on('data', (b: Buffer) => got.push(b.toString()));
  link.emit('message', Buffer.from('NICK a'));
  link.emit('message', [Buffer.from('USER a 0 '), Buffer.from('* :A')]);
  link.emit('message', new Uint8Array(Buffer.from('PING x')).buffer);
  await turn();
  assert.deepEqual(got, ['NICK a\r\n', 'USER a 0 * :A\r\n', 'PING x\r\n']);
});

test('WsSocket: a reader that stops pauses ws, and reading again resumes it', async () => {
  const { link, socket } = ws();
  socket.pause();
  const big = Buffer.alloc(20_000, 0x61); // past the readable side's 16 KiB mark at once
  link.emit('message', big);
  assert.equal(link.paused, 1, 'ws paused once the readable side is full');
  const resumedBefore = link.resumed;
  let bytes = 0;
  socket.on('data', (b: Buffer) => (bytes += b.length));
  socket.resume();
  await turn();
  assert.equal(bytes, big.length + 2);
  assert.ok(link.resumed > resumedBefore, 'reading again resumes ws');
});

test('WsSocket: a write of whole lines is one message per line, CR LF or bare LF, empty lines skipped; done once ws has sent the last', async () => {
  const { link, socket } = ws(true);
  assert.equal(socket.writableHighWaterMark, 1, "a write in flight counts, and ends with 'drain'");
  let done = false;
  socket.write(Buffer.from(':s 001 a :hi\r\n:s 002 a :there\n\r\n\n:s 003 a :last'), () => {
    done = true;
  });
  assert.deepEqual(link.sent, [
    { text: ':s 001 a :hi', binary: true },
    { text: ':s 002 a :there', binary: true },
    { text: ':s 003 a :last', binary: true },
  ]);
  assert.equal(socket.writableLength > 0, true, 'in flight until ws says sent');
  const drained = new Promise((r) => socket.once('drain', r));
  link.acks[0]();
  link.acks[1]();
  await turn();
  assert.equal(done, false, 'two of three sent');
  link.acks[2]();
  await drained;
  assert.equal(done, true);
  // Text links send text; a write with no line in it is done at once.
  const text = ws(false);
  text.socket.write(Buffer.from('x\r\n'));
  assert.equal(text.link.sent[0].binary, false);
  let empty = false;
  socket.write(Buffer.from('\r\n'), () => (empty = true));
  await turn();
  assert.equal(empty, true);
  assert.equal(link.sent.length, 3);
});

test("WsSocket: a send that fails fails the write with the first error, once every line's callback came", async () => {
  const { link, socket } = ws();
  const errors: Error[] = [];
  socket.on('error', (e: Error) => errors.push(e));
  const result: { err?: Error | null; called: boolean } = { called: false };
  socket.write(Buffer.from('a\r\nb\r\nc\r\n'), (err) =>
    Object.assign(result, { err, called: true }),
  );
  link.acks[0](new Error('first'));
  link.acks[1](new Error('second'));
  await turn();
  assert.equal(result.called, false, 'not done before the last callback');
  link.acks[2]();
  await turn();
  assert.equal(result.err?.message, 'first');
  assert.equal(errors[0]?.message, 'first');
});

test('WsSocket: end() closes with 1000; destroy() terminates a live link, not a closed one nor one ws is closing for an error', async () => {
  const a = ws();
  a.socket.end();
  await turn();
  assert.deepEqual(a.link.closed, [1000]);

  const b = ws();
  b.socket.destroy();
  assert.equal(b.link.terminated, 1, 'a live link is terminated');

  const c = ws();
  c.link.readyState = c.link.CLOSED;
  c.socket.destroy();
  assert.equal(c.link.terminated, 0, 'a closed link is left alone');

  // A protocol error: ws sends its Close frame and ends the link itself; terminating would drop it.
  const d = ws();
  const errors: Error[] = [];
  d.socket.on('error', (e: Error) => errors.push(e));
  d.link.emit('error', new Error('Invalid WebSocket frame'));
  await turn();
  assert.equal(d.socket.destroyed, true);
  assert.equal(d.link.terminated, 0);
  assert.equal(errors[0]?.message, 'Invalid WebSocket frame');

  // ws closed: the socket is destroyed (and closes), leaving the closed link alone.
  const e = ws();
  const closed = new Promise((r) => e.socket.once('close', r));
  e.link.readyState = e.link.CLOSED;
  e.link.emit('close');
  await closed;
  assert.equal(e.socket.destroyed, true);
  assert.equal(e.link.terminated, 0);
  assert.equal(e.socket.allowHalfOpen, false);
  assert.equal(e.socket.setNoDelay(), e.socket, 'nothing to set on a WebSocket');
  assert.equal(e.socket.setKeepAlive(), e.socket);
});

test('TlsSocket: decrypted bytes in as they come, backpressure both ways, writes through with their callback', async () => {
  const link = new FakeTls();
  const socket = new TlsSocket(link as unknown as tls.TLSSocket);
  assert.equal(socket.encrypted, true);
  assert.equal(socket.remoteAddress, '192.0.2.7');
  assert.equal(socket.writableHighWaterMark, 1);
  assert.equal(socket.allowHalfOpen, false);
  socket.pause();
  link.emit('data', Buffer.alloc(20_000, 0x62));
  assert.equal(link.paused, 1, 'the TLS stream paused once the readable side is full');
  let bytes = 0;
  socket.on('data', (b: Buffer) => (bytes += b.length));
  socket.resume();
  await turn();
  assert.equal(bytes, 20_000);
  assert.ok(link.resumed > 0);

  let done = false;
  socket.write(Buffer.from('PONG x\r\n'), () => (done = true));
  assert.deepEqual(link.written, ['PONG x\r\n']);
  assert.equal(socket.writableLength > 0, true, 'in flight until TLS says written');
  await turn();
  assert.equal(done, false);
  link.acks[0]();
  await turn();
  assert.equal(done, true);

  assert.equal(socket.setNoDelay(true), socket);
  assert.equal(socket.setKeepAlive(true, 5000), socket);
  assert.deepEqual(link.noDelay, [true]);
  assert.deepEqual(link.keepAlive, [[true, 5000]]);
});

test('TlsSocket: the peer ending ends the readable side; end() ends TLS; close, error and destroy() tear down both', async () => {
  const a = new FakeTls();
  const sa = new TlsSocket(a as unknown as tls.TLSSocket);
  let ended = false;
  sa.on('end', () => (ended = true));
  sa.resume();
  a.emit('end');
  await turn();
  assert.equal(ended, true);
  sa.end();
  await turn();
  assert.equal(a.ended, 1, 'our end() ends the TLS stream');

  const b = new FakeTls();
  const sb = new TlsSocket(b as unknown as tls.TLSSocket);
  b.emit('close');
  assert.equal(sb.destroyed, true);
  assert.equal(b.destroyed, 1);

  const c = new FakeTls();
  const sc = new TlsSocket(c as unknown as tls.TLSSocket);
  const errors: Error[] = [];
  sc.on('error', (e: Error) => errors.push(e));
  c.emit('error', new Error('ECONNRESET'));
  await turn();
  assert.equal(sc.destroyed, true);
  assert.equal(errors[0]?.message, 'ECONNRESET');

  const d = new FakeTls();
  new TlsSocket(d as unknown as tls.TLSSocket).destroy();
  assert.equal(d.destroyed, 1);
});
