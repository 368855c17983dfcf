// Fuzzing the WebSocket transport with raw frames: valid messages (fragmented, pings between, text or binary) answered exactly as the same lines over TCP; each broken frame closing the link with its RFC 6455 code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startServer, type TestServer } from '../helpers/irc.js';
import { lineProblem, WireClient } from '../helpers/wire.js';
import { encodeFrame, OP, RawWs, type FrameSpec } from '../helpers/wsraw.js';

const CRLF = Buffer.from('\r\n');
const frame = (opcode: number, payload: Buffer | string, over: Partial<FrameSpec> = {}) =>
  encodeFrame({ fin: true, rsv: 0, opcode, masked: true, payload: Buffer.from(payload), ...over });

/** IRC lines for a client called `n` (one WebSocket message each; some hold two lines or a NUL). */
const LINES: Array<(n: string) => Buffer | string> = [
  (n) => `NICK ${n}`,
  (n) => `USER ${n} 0 * :Web ${n}`,
  () => 'CAP LS 302',
  () => 'CAP REQ :server-time echo-message message-tags',
  () => 'CAP END',
  () => 'PING :p1',
  (n) => `PRIVMSG ${n} :héllo ✓ 世界 🙂`,
  (n) => `NOTICE ${n} :x`,
  () => 'JOIN #c',
  () => 'PRIVMSG #c :hi all',
  () => 'FOO bar',
  (n) => `MODE ${n}`,
  () => '',
  (n) => `PRIVMSG ${n} :${'y'.repeat(600)}`,
  () => 'PING :a\r\nPING :b',
  () => 'PING :c\nPING :d',
  () => 'PING :nul\0x',
  (n) => `PRIVMSG ${n} :${'z'.repeat(16000)}`,
  // Not UTF-8: only in binary messages (a text one would be a protocol error).
  (n) => Buffer.concat([Buffer.from(`PRIVMSG ${n} :`), Buffer.from([0xff, 0xfe, 0x41])]),
];
const NOT_UTF8 = LINES.length - 1;

/** One valid message: a line, text or binary, in `parts` fragments with a PING after some. */
interface Msg {
  line: number;
  binary: boolean;
  parts: number;
  pings: boolean[];
}

const msg: fc.Arbitrary<Msg> = fc.record({
  line: fc.nat(LINES.length - 1),
  binary: fc.boolean(),
  parts: fc.integer({ min: 1, max: 4 }),
  pings: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
});

/** The frames of a message (a text one never holds the non-UTF-8 line: it is sent binary). */
function frames(m: Msg, nick: string, pings: Buffer[]): Buffer[] {
  const data = Buffer.from(LINES[m.line](nick));
  const binary = m.binary || m.line === NOT_UTF8;
  const out: Buffer[] = [];
  const size = Math.ceil(data.length / m.parts) || 1;
  for (let k = 0; k < m.parts; k++) {
    const part = data.subarray(k * size, (k + 1) * size);
    const last = k === m.parts - 1;
    out.push(frame(k === 0 ? (binary ? OP.BINARY : OP.TEXT) : OP.CONT, part, { fin: last }));
    if (m.pings[k] && !last) {
      const payload = Buffer.from(`ping ${pings.length}`);
      pings.push(payload);
      out.push(frame(OP.PING, payload));
    }
  }
  return out;
}

/** A broken frame (sequence) and the close code RFC 6455 gives it. */
const FAULTS: Array<{ name: string; bytes: () => Buffer; code: number }> = [
  { name: 'unmasked', bytes: () => frame(OP.TEXT, 'PING :x', { masked: false }), code: 1002 },
  ...[4, 2, 1].map((rsv) => ({
    name: `rsv ${rsv}`,
    bytes: () => frame(OP.TEXT, 'PING', { rsv }),
    code: 1002,
  })),
  ...[3, 7, 11, 15].map((op) => ({
    name: `opcode ${op}`,
    bytes: () => frame(op, 'x'),
    code: 1002,
  })),
  { name: 'fragmented ping', bytes: () => frame(OP.PING, 'p', { fin: false }), code: 1002 },
  { name: 'ping of 126 bytes', bytes: () => frame(OP.PING, 'p'.repeat(126)), code: 1002 },
  { name: 'stray continuation', bytes: () => frame(OP.CONT, 'PING :x'), code: 1002 },
  {
    name: 'a message inside a message',
    bytes: () => Buffer.concat([frame(OP.TEXT, 'PI', { fin: false }), frame(OP.TEXT, 'NG')]),
    code: 1002,
  },
  {
    name: 'a length over 16 KiB',
    bytes: () => frame(OP.BINARY, '', { length: 16385n }),
    code: 1009,
  },
  { name: 'a 2^60 length', bytes: () => frame(OP.TEXT, '', { length: 2n ** 60n }), code: 1009 },
  {
    name: 'fragments over 16 KiB',
    bytes: () =>
      Buffer.concat([
        frame(OP.TEXT, 'a'.repeat(9000), { fin: false }),
        frame(OP.CONT, 'b'.repeat(9000)),
      ]),
    code: 1009,
  },
  { name: 'text not UTF-8', bytes: () => frame(OP.TEXT, Buffer.from([0x50, 0xff])), code: 1007 },
  {
    name: 'UTF-8 broken across fragments',
    bytes: () =>
      Buffer.concat([
        frame(OP.TEXT, Buffer.from([0x41, 0xe2, 0x82]), { fin: false }),
        frame(OP.CONT, Buffer.from([0x28])),
      ]),
    code: 1007,
  },
  { name: 'close of one byte', bytes: () => frame(OP.CLOSE, Buffer.from([3])), code: 1002 },
  ...[999, 1005, 1006, 2000, 5000].map((c) => ({
    name: `close code ${c}`,
    bytes: () => frame(OP.CLOSE, Buffer.from([c >> 8, c & 0xff])),
    code: 1002,
  })),
  {
    name: 'close reason not UTF-8',
    bytes: () => frame(OP.CLOSE, Buffer.from([0x03, 0xe8, 0xff])),
    code: 1007,
  },
];

/** How a run ends: a broken frame, a proper Close (echoed with its code; 1005: none), or nothing. */
const ending = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ t: 'none' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant('fault' as const), k: fc.nat(FAULTS.length - 1) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('close' as const),
      code: fc.constantFrom(1000, 1001, 3000, 4999, 1005),
    }),
  },
);

/** Transcript lines compared across transports: own nick, times and msgids masked. */
const mask = (line: string, nick: string) =>
  line
    .split(nick)
    .join('N')
    .replace(/time=[^; ]+/g, 'time=T')
    .replace(/msgid=[^; ]+/g, 'msgid=M');

/** Write `bytes` cut at `cuts` (offsets, taken modulo the length), one socket write per piece. */
async function writeInPieces(ws: RawWs, bytes: Buffer, cuts: number[]): Promise<void> {
  const at = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...at, bytes.length]) {
    if (to <= from) continue;
    ws.write(bytes.subarray(from, to));
    from = to;
    await new Promise((r) => setImmediate(r));
  }
}

const isPong = (line: string, token: string) =>
  /^(?:@\S+ )?:\S+ PONG \S+ :?(\S+)$/.exec(line)?.[1] === token;

/** Until no connection is left on the server (the WebSocket client's leaving is asynchronous). */
async function drained(srv: TestServer): Promise<void> {
  for (let k = 0; k < 200 && srv.server.connectionCount > 0; k++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(srv.server.connectionCount, 0, 'the WebSocket client is gone');
}

test('fuzz: random WebSocket frames: valid ones are IRC as over TCP, broken ones close with their RFC 6455 code', async (t) => {
  const seen = { compared: 0, lines: 0, pings: 0, faults: new Set<string>(), closes: 0 };
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('text.ircv3.net', 'binary.ircv3.net', ''),
      fc.array(msg, { maxLength: 10 }),
      ending,
      fc.array(fc.nat(), { maxLength: 4 }),
      async (protocol, msgs, end, cuts) => {
        const srv = await startServer({ defaultChannel: '', websocketPort: 0 });
        try {
          const ws = await RawWs.open(
            srv.server.wsAddress!.port,
            protocol === '' ? [] : [protocol],
          );
          assert.equal(ws.protocol, protocol);
          const pings: Buffer[] = [];
          const body = msgs.flatMap((m) => frames(m, 'webnick', pings));
          const fault = end.t === 'fault' ? FAULTS[end.k] : null;
          const tail = fault?.bytes() ?? frame(OP.TEXT, 'PING :end');
          await writeInPieces(ws, Buffer.concat([...body, tail]), cuts);
          if (fault !== null) {
            assert.ok(await ws.until(() => ws.ended), `${fault.name}: the link closes`);
            assert.equal(ws.closeCode, fault.code, `${fault.name}: the close code`);
            seen.faults.add(fault.name);
          } else {
            const text = () => ws.messages().map((m) => m.toString('utf8'));
            await ws.until(() => text().some((l) => isPong(l, 'end')));
            const all = ws.frames.filter((f) => f.opcode === OP.TEXT || f.opcode === OP.BINARY);
            const want = protocol === 'binary.ircv3.net' ? OP.BINARY : OP.TEXT;
            for (const f of all) {
              assert.equal(f.opcode, want, 'the frame type the subprotocol asks for');
              assert.equal(lineProblem(Buffer.concat([f.data, CRLF])), null, f.data.toString());
            }
            const pongs = ws.frames
              .filter((f) => f.opcode === OP.PONG)
              .map((f) => f.data.toString());
            assert.deepEqual(
              pongs,
              pings.map((p) => p.toString()),
              'each PING frame gets its PONG',
            );
            const lines = text();
            const stop = lines.findIndex((l) => isPong(l, 'end'));
            const wsClosed = stop < 0;
            const overWs = (wsClosed ? lines : lines.slice(0, stop)).map((l) => mask(l, 'webnick'));
            if (!wsClosed && end.t === 'close') {
              // A Close frame of our own: echoed with its code (none given: 1005), then the end.
              const c = end.code;
              ws.closeWith(c);
              assert.ok(await ws.until(() => ws.ended), 'a Close frame ends the link');
              assert.equal(ws.closeCode, c, 'the Close frame echoed');
              seen.closes++;
            }
            ws.close();
            await drained(srv);
            // The same lines over TCP, one after the other with CR LF: the same answers.
            const tcp = await WireClient.connect(srv.port);
            tcp.socket.write(
              Buffer.concat(msgs.flatMap((m) => [Buffer.from(LINES[m.line]('tcpnick')), CRLF])),
            );
            const { got, closed } = await tcp.step([]);
            assert.equal(closed, wsClosed, 'closed on both or neither');
            assert.deepEqual(
              overWs,
              got.map((l) => mask(l.raw, 'tcpnick')),
              'as over TCP',
            );
            assert.deepEqual(tcp.problems, []);
            await tcp.close();
            seen.compared++;
            seen.lines += overWs.length;
            seen.pings += pings.length;
          }
          assert.deepEqual(ws.problems, [], 'the server frames as RFC 6455 says');
          ws.close();
          // Whatever came, the server goes on serving.
          const after = await WireClient.connect(srv.port);
          assert.equal((await after.step([])).closed, false, 'the server still answers');
          await after.close();
        } finally {
          await srv.stop();
        }
      },
    ),
    {
      numRuns: Number(process.env.PARLEY_FUZZ_RUNS ?? 40),
      seed: Number(process.env.PARLEY_FUZZ_SEED ?? 20261217),
      includeErrorInReport: true,
    },
  );
  t.diagnostic(`reached: ${JSON.stringify({ ...seen, faults: seen.faults.size })}`);
  assert.ok(seen.compared > 0 && seen.lines > 0 && seen.faults.size > 0, 'not vacuous');
});
