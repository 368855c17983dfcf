// Early write passes (flush.ts writeEarly) over real sockets, plain and TLS: a burst read in one turn goes out between its reads, complete and in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeCertificate } from '../../src/cli/certgen.js';
import { EARLY_BYTES, earlyWrites, setEarlyBytes } from '../../src/server/flush.js';
import { eventually } from '../helpers/eventually.js';
import { startServer, TestClient } from '../helpers/irc.js';

const N = 8;
const M = 400;
/** Sender i's message k goes to: never i itself. */
const to = (i: number, k: number) => (i + 1 + (k % (N - 1))) % N;

/** Eight clients write M private messages each at once; every one arrives, in order per sender. */
async function burst(secure: boolean): Promise<void> {
  // The default threshold needs hundreds of senders in one turn; a low one makes eight cross it
  // every few reads.
  setEarlyBytes(8 * 1024);
  const cert = secure ? makeCertificate(['127.0.0.1'], 1) : null;
  const srv = await startServer(
    cert === null ? {} : { tls: { port: 0, cert: cert.cert, key: cert.key } },
  );
  const clients: TestClient[] = [];
  try {
    for (let i = 0; i < N; i++) {
      const c = secure
        ? await TestClient.connectTls(srv.server.tlsAddress!.port)
        : await TestClient.connect(srv.port);
      clients.push(await c.registerAs(`u${i}`));
    }
    const before = earlyWrites();
    for (let i = 0; i < N; i++) {
      let all = '';
      for (let k = 0; k < M; k++)
        all += `PRIVMSG u${to(i, k)} :from ${i} number ${k} ${'x'.repeat(60)}\r\n`;
      clients[i].socket.write(all);
    }
    const got = () => clients.reduce((n, c) => n + c.all('PRIVMSG').length, 0);
    await eventually(() => got() === N * M, `all ${N * M} messages delivered`, 20_000);
    assert.ok(earlyWrites() > before, 'the burst was written between reads');
    for (let j = 0; j < N; j++) {
      const last = new Map<string, number>();
      for (const m of clients[j].all('PRIVMSG')) {
        const [, from, , k] = m.params[1].split(' ');
        assert.equal(to(Number(from), Number(k)), j, 'delivered to its recipient');
        assert.ok(Number(k) > (last.get(from) ?? -1), `u${j}: from ${from} in order`);
        last.set(from, Number(k));
      }
    }
  } finally {
    setEarlyBytes(EARLY_BYTES);
    for (const c of clients) c.destroy();
    await srv.stop();
  }
}

test('with write passes between reads, a burst of private messages arrives complete and in order', () =>
  burst(false));

test('the same over TLS (its sockets read by data events, not into the shared buffer)', () =>
  burst(true));
