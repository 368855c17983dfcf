// IRC over WebSocket (IRCv3) with the ws package as the client: chat with TCP clients both ways, subprotocols, bad frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { parse, isParseError, type Message } from '../../src/protocol/index.js';
import { startServer, TestClient } from '../helpers/irc.js';
import { encodeFrame, OP, RawWs } from '../helpers/wsraw.js';

/** A WebSocket IRC client: every message is one line. */
class WsClient {
  readonly lines: string[] = [];
  private waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.lines.push(isBinary ? (data as Buffer).toString('utf8') : data.toString());
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static open(port: number, protocols: string[]): Promise<WsClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, protocols);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
    });
  }

  send(line: string | Buffer, binary = false): void {
    this.ws.send(line, { binary });
  }

  /** The first message from index `from` on that `match` accepts (5 s at most). */
  async expect(match: (m: Message) => boolean, from = 0): Promise<Message> {
    const deadline = Date.now() + 5000;
    for (;;) {
      for (const line of this.lines.slice(from)) {
        const m = parse(line);
        if (!isParseError(m) && match(m)) return m;
      }
      if (this.closed !== null) throw new Error(`closed ${JSON.stringify(this.closed)}`);
      if (Date.now() > deadline) throw new Error(`timed out; got ${this.lines.join(' | ')}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  async register(nick: string): Promise<void> {
    this.send(`NICK ${nick}`);
    this.send(`USER ${nick} 0 * :${nick} on the web`);
    await this.expect((m) => m.command === '001');
  }

  untilClosed(): Promise<{ code: number; reason: string }> {
    return new Promise((resolve) => {
      if (this.closed !== null) return resolve(this.closed);
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
  }
}

test('a WebSocket client and a TCP client chat both ways, privately and in a channel', async () => {
  const srv = await startServer({ defaultChannel: '#lobby', websocketPort: 0 });
  try {
    const port = srv.server.wsAddress!.port;
    const web = await WsClient.open(port, ['text.ircv3.net']);
    assert.equal(web.ws.protocol, 'text.ircv3.net');
    await web.register('webby');
    // Every message is one line, without CR LF.
    assert.ok(web.lines.every((l) => !/[\r\n]/.test(l)));
    const tcp = await TestClient.register(srv.port, 'tcpy');
    await web.expect((m) => m.command === 'JOIN' && m.source?.startsWith('tcpy!') === true);
    tcp.send('PRIVMSG webby :hello from TCP, ünïcödé');
    await web.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'hello from TCP, ünïcödé');
    web.send('PRIVMSG tcpy :hello from the web');
    await tcp.expectCommand('PRIVMSG', 'tcpy', 'hello from the web');
    web.send('PRIVMSG #lobby :to everyone');
    await tcp.expectCommand('PRIVMSG', '#lobby', 'to everyone');
    tcp.send('PRIVMSG #lobby :and back');
    await web.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'and back');
    web.ws.close();
    await tcp.expect((m) => m.command === 'QUIT' && m.source?.startsWith('webby!') === true);
    tcp.destroy();
  } finally {
    await srv.stop();
  }
});

test('permessage-deflate is declined (a zlib context per connection costs more than short lines save); chat goes on uncompressed', async () => {
  const srv = await startServer({ websocketPort: 0 });
  try {
    const port = srv.server.wsAddress!.port;
    // ws clients offer permessage-deflate unless told not to.
    const web = await WsClient.open(port, ['text.ircv3.net']);
    assert.equal(web.ws.extensions, '', 'no extension accepted in the handshake');
    await web.register('webby');
    const tcp = await TestClient.register(srv.port, 'tcpy');
    const long = 'ab'.repeat(200); // compresses well: would be deflated were the extension on
    tcp.send(`PRIVMSG webby :${long}`);
    await web.expect((m) => m.command === 'PRIVMSG' && m.params[1] === long);
    web.send(`PRIVMSG tcpy :${long}`);
    await tcp.expectCommand('PRIVMSG', 'tcpy', long);
    web.ws.close();
    tcp.destroy();
  } finally {
    await srv.stop();
  }
});

test('binary.ircv3.net carries bytes: non-UTF-8 text gets FAIL INVALID_UTF8 as on TCP; no subprotocol means text', async () => {
  const srv = await startServer({ defaultChannel: '', websocketPort: 0 });
  try {
    const port = srv.server.wsAddress!.port;
    const bin = await WsClient.open(port, ['binary.ircv3.net', 'text.ircv3.net']);
    assert.equal(bin.ws.protocol, 'binary.ircv3.net');
    await bin.register('binny');
    const from = bin.lines.length;
    bin.send(Buffer.from([...Buffer.from('PRIVMSG binny :'), 0xff, 0xfe]), true);
    const fail = await bin.expect((m) => m.command === 'FAIL', from);
    assert.deepEqual(fail.params.slice(0, 2), ['PRIVMSG', 'INVALID_UTF8']);
    const plain = await WsClient.open(port, []);
    assert.equal(plain.ws.protocol, '');
    await plain.register('plainy');
    bin.ws.close();
    plain.ws.close();
  } finally {
    await srv.stop();
  }
});

test('a line too long gets 417 and the link lives; a frame past 16 KiB or text that is not UTF-8 closes it', async () => {
  const srv = await startServer({ defaultChannel: '', websocketPort: 0 });
  try {
    const port = srv.server.wsAddress!.port;
    const a = await WsClient.open(port, ['text.ircv3.net']);
    await a.register('alpha');
    const from = a.lines.length;
    a.send('PRIVMSG alpha :' + 'x'.repeat(600));
    await a.expect((m) => m.command === '417', from);
    a.send('PING :still here');
    await a.expect((m) => m.command === 'PONG' && m.params[1] === 'still here', from);
    a.send('PRIVMSG alpha :' + 'x'.repeat(20_000));
    assert.equal((await a.untilClosed()).code, 1009);

    const b = await WsClient.open(port, ['text.ircv3.net']);
    await b.register('beta');
    // A text frame whose bytes are not UTF-8 (sent raw: ws would refuse to send it as text).
    const socket = (b.ws as unknown as { _socket: import('node:net').Socket })._socket;
    const payload = Buffer.from([0x50, 0x49, 0x4e, 0x47, 0x20, 0xff]); // "PING \xff"
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = payload.map((byte, k) => byte ^ mask[k % 4]);
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    assert.equal((await b.untilClosed()).code, 1007);
  } finally {
    await srv.stop();
  }
});

test('the WebSocket port answers plain HTTP with 426, and counts against --max-clients', async () => {
  const srv = await startServer({ defaultChannel: '', websocketPort: 0, maxClients: 1 });
  try {
    const port = srv.server.wsAddress!.port;
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(res.status, 426);
    assert.equal(res.headers.get('upgrade'), 'websocket', 'the protocol to upgrade to');
    assert.equal(res.headers.get('content-type'), 'text/plain');
    assert.match(await res.text(), /connect with a WebSocket/);
    const tcp = await TestClient.register(srv.port, 'first', [], false);
    const full = await WsClient.open(port, ['text.ircv3.net']);
    const closed = await full.untilClosed();
    assert.deepEqual(closed, { code: 1008, reason: 'server full' });
    assert.ok(full.lines.some((l) => l.startsWith('ERROR :Closing link: server full')));
    tcp.destroy();
  } finally {
    await srv.stop();
  }
});

test('a broken frame whose bytes come in pieces still gets its close code, not a reset', async () => {
  const srv = await startServer({ defaultChannel: '', websocketPort: 0 });
  try {
    const port = srv.server.wsAddress!.port;
    for (let k = 0; k < 10; k++) {
      const ws = await RawWs.open(port, ['text.ircv3.net']);
      // Unmasked: refused at the header, while the payload is still on its way.
      const bytes = encodeFrame({
        fin: true,
        rsv: 0,
        opcode: OP.TEXT,
        masked: false,
        payload: Buffer.from('PING :x'),
      });
      ws.write(bytes.subarray(0, 2));
      await new Promise((r) => setImmediate(r));
      ws.write(bytes.subarray(2, 3));
      await new Promise((r) => setImmediate(r));
      ws.write(bytes.subarray(3));
      assert.ok(await ws.until(() => ws.ended), 'the link closes');
      assert.equal(ws.closeCode, 1002, `try ${k}: the Close frame arrived`);
    }
  } finally {
    await srv.stop();
  }
});
