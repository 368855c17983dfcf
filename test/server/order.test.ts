// Chronological order: the server stamps on receipt; every receiver of a channel sees one and the same order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';

test('K senders x M messages: complete, per-sender in order, same order for every receiver', async () => {
  const K = 5;
  const M = 200;
  const srv = await startServer();
  const clients: TestClient[] = [];
  try {
    for (let k = 0; k < K; k++)
      clients.push(await TestClient.register(srv.port, `s${k}`, ['echo-message', 'message-tags']));
    const listeners = [];
    for (let k = 0; k < 2; k++)
      listeners.push(await TestClient.register(srv.port, `l${k}`, ['server-time']));
    for (const c of [...clients, ...listeners]) await c.sync();
    const marks = new Map([...clients, ...listeners].map((c) => [c, c.received.length]));
    // Interleave the senders' writes.
    for (let m = 0; m < M; m++)
      for (let k = 0; k < K; k++) clients[k].send(`PRIVMSG #lobby :s${k}-${m}`);
    const everyone = [...clients, ...listeners];
    // Each sender's connection is read independently, so wait for every sender's last message.
    const lastOf = new Set(Array.from({ length: K }, (_, k) => `s${k}-${M - 1}`));
    for (const c of everyone) {
      const deadline = Date.now() + 30_000;
      const seen = () =>
        c.all('PRIVMSG', marks.get(c)).filter((m) => lastOf.has(m.params[1])).length;
      while (seen() < K && Date.now() < deadline) await c.sync();
    }
    const seqs = [];
    for (const c of everyone) {
      await c.sync();
      const seq = c.all('PRIVMSG', marks.get(c)).map((m) => m.params[1]);
      assert.equal(seq.length, K * M, `${c.nick} received every message exactly once`);
      for (let k = 0; k < K; k++) {
        const mine = seq.filter((t) => t.startsWith(`s${k}-`));
        assert.deepEqual(
          mine,
          Array.from({ length: M }, (_, m) => `s${k}-${m}`),
          `${c.nick}: s${k} in order`,
        );
      }
      seqs.push(seq);
    }
    for (const seq of seqs.slice(1))
      assert.deepEqual(seq, seqs[0], 'every receiver sees the same order');
    // msgids and server-time follow that order.
    const stamped = clients[0].all('PRIVMSG', marks.get(clients[0]));
    const ids = stamped.map((m) => m.tags!.get('msgid')!);
    assert.deepEqual([...ids].sort(), ids, 'msgids sort in receipt order');
    const times = stamped.map((m) => m.tags!.get('time')!);
    assert.deepEqual([...times].sort(), times, 'server-time never goes backwards');
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
});
