// Redis killed with SIGKILL while clients on two real `parley serve` nodes chat: local service never stops, confirmed messages are not lost, and the network mends when Redis is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from '../helpers/irc.js';
import { eventually, from, names, sleep, timed, type Seen } from '../helpers/cluster.js';
import { haveRedis, startRedis, type TestRedis } from '../helpers/redis.js';
import { startServe, type ServeProcess } from '../interop/serve.js';

const ARGS = ['--db', 'off', '--flood', 'off', '--default-channel', ''];
const CAPS = ['echo-message', 'message-tags', 'server-time', 'multi-prefix'];
/** Each client sends one channel and one private message this often. */
const EVERY_MS = 100;

interface Chatter {
  c: TestClient;
  node: 'a' | 'b';
  /** Who it writes to privately. */
  peer: string;
  seen: Seen[];
}

/** What `x` got from `sender` (channel #t or private), by msgid, with arrival time. */
function got(x: Chatter, sender: string, target: string): Map<string, Seen> {
  const out = new Map<string, Seen>();
  for (const s of x.seen) {
    const m = s.msg;
    if (m.command !== 'PRIVMSG' || !from(m, sender) || m.params[0] !== target) continue;
    out.set(m.tags!.get('msgid')!, s);
  }
  return out;
}

/** Where a notice matching `text` sits in `x`'s arrivals (Infinity when none came). */
function noticeAt(x: Chatter, text: RegExp): number {
  const k = x.seen.findIndex((s) => s.msg.command === 'NOTICE' && text.test(s.msg.params[1]));
  return k === -1 ? Infinity : k;
}

test('Redis killed with SIGKILL during traffic and restarted: local chat never stops, nothing confirmed is lost, the network mends', async (t) => {
  if (!haveRedis(t)) return;
  let redis: TestRedis = await startRedis();
  const nodes: ServeProcess[] = [];
  const chatters: Chatter[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const a = await startServe([...ARGS, '--cluster', redis.url, '--node-id', 'a']);
    nodes.push(a);
    const b = await startServe([...ARGS, '--cluster', redis.url, '--node-id', 'b']);
    nodes.push(b);
    // alice and bob write to each other across nodes; carol and dave to a user of their own node.
    const plan: Array<[string, ServeProcess, 'a' | 'b', string]> = [
      ['alice', a, 'a', 'bob'],
      ['carol', a, 'a', 'alice'],
      ['bob', b, 'b', 'alice'],
      ['dave', b, 'b', 'bob'],
    ];
    for (const [nick, n, node, peer] of plan) {
      const c = await TestClient.register(n.port, nick, CAPS, false);
      chatters.push({ c, node, peer, seen: [] });
    }
    for (const x of chatters) x.c.send('JOIN #t');
    for (const x of chatters) {
      await eventually(async () => (await names(x.c, '#t')).length === 4, 'all four in #t');
    }
    for (const x of chatters) x.seen = timed(x.c);

    let i = 0;
    /** When round i was sent. */
    const sentAt: number[] = [];
    const send = (): void => {
      sentAt.push(Date.now());
      for (const x of chatters) {
        x.c.send(`PRIVMSG #t :${x.c.nick} ${i}`);
        x.c.send(`PRIVMSG ${x.peer} :${x.c.nick} ${i}`);
      }
      i++;
    };
    timer = setInterval(send, EVERY_MS);
    await sleep(2000);
    const port = redis.port;
    redis.child.kill('SIGKILL');
    const killedAt = Date.now();
    await sleep(3000);
    redis = await startRedis(port);
    const backAt = Date.now();
    await sleep(10_000);
    clearInterval(timer);
    timer = undefined;
    await sleep(1000);
    for (const x of chatters) await x.c.sync();

    const byNick = new Map(chatters.map((x) => [x.c.nick, x]));
    const round = (s: Seen) => Number(/ (\d+)$/.exec(s.msg.params[1])?.[1]);
    const told = chatters.map((x) => {
      const at = (text: RegExp) => x.seen[noticeAt(x, text)]?.at;
      return `${x.c.nick} ${at(/degraded/) - killedAt}/${at(/whole again/) - backAt}`;
    });
    t.diagnostic(`told degraded/whole (ms after the kill/the restart): ${told.join(', ')}`);

    // Local service never stopped: during the outage, each node's users kept getting each other's
    // messages, with no pause longer than a second.
    for (const [reader, sender, target] of [
      ['alice', 'carol', 'alice'],
      ['carol', 'alice', '#t'],
      ['bob', 'dave', 'bob'],
      ['dave', 'bob', '#t'],
    ]) {
      const times = [...got(byNick.get(reader)!, sender, target).values()]
        .map((s) => s.at)
        .filter((at) => at > killedAt && at < backAt);
      const marks = [killedAt, ...times, backAt];
      const gap = Math.max(...marks.slice(1).map((at, k) => at - marks[k]));
      assert.ok(gap < 1000, `${sender} -> ${target} at ${reader}: a ${gap} ms pause in the outage`);
    }
    // Cross-node delivery resumes soon after Redis is back: the first message sent after that
    // reaches the other node within 5 s.
    const resumed: string[] = [];
    for (const [reader, sender, target] of [
      ['bob', 'alice', 'bob'],
      ['alice', 'bob', 'alice'],
      ['bob', 'alice', '#t'],
      ['alice', 'bob', '#t'],
    ]) {
      const first = [...got(byNick.get(reader)!, sender, target).values()]
        .filter((s) => sentAt[round(s)] > backAt)
        .map((s) => s.at - backAt);
      const ms = Math.min(...first);
      resumed.push(`${sender} -> ${target}: ${ms} ms`);
      assert.ok(
        ms < 5000,
        `${sender} -> ${target} reached ${reader} ${ms} ms after Redis was back`,
      );
    }
    t.diagnostic(`${i} rounds; cross-node delivery after Redis was back: ${resumed.join(', ')}`);
    // Nobody left or came: the restart shows no QUIT, PART or JOIN to anyone; nobody is told
    // the network is degraded or whole more than once; no message arrives twice.
    for (const x of chatters) {
      const nick = x.c.nick;
      const noise = x.seen.filter((s) => ['QUIT', 'PART', 'JOIN'].includes(s.msg.command));
      assert.deepEqual(
        noise.map((s) => s.msg.command + ' ' + s.msg.source),
        [],
        nick,
      );
      const notices = x.seen.filter((s) => s.msg.command === 'NOTICE').map((s) => s.msg.params[1]);
      assert.equal(notices.filter((n) => /network is degraded/.test(n)).length, 1, nick);
      assert.equal(notices.filter((n) => /whole again/.test(n)).length, 1, nick);
      const ids = x.seen
        .filter((s) => s.msg.command === 'PRIVMSG')
        .map((s) => s.msg.tags!.get('msgid'));
      assert.equal(ids.length, new Set(ids).size, `${nick} got no message twice`);
    }

    // Every confirmed message reached every member: of the sender's node always; of the other
    // node unless it was confirmed while the network was split (between the two notices).
    const lost: string[] = [];
    for (const x of chatters) {
      const nick = x.c.nick;
      const down = noticeAt(x, /network is degraded/);
      const whole = noticeAt(x, /whole again/);
      for (const target of ['#t', x.peer]) {
        const echoes = [...got(x, nick, target)].map(([id, s]) => ({ id, k: x.seen.indexOf(s) }));
        assert.ok(echoes.length > 0, `${nick} -> ${target}: something was confirmed`);
        const readers = target === '#t' ? chatters.filter((y) => y !== x) : [byNick.get(target)!];
        for (const y of readers) {
          const reached = got(y, nick, target);
          const owed = echoes.filter((e) => y.node === x.node || e.k < down || e.k > whole);
          for (const e of owed.filter((o) => !reached.has(o.id))) {
            const when = x.seen[e.k].at - backAt;
            lost.push(`${nick} -> ${target} (confirmed ${when} ms after the restart): ${y.c.nick}`);
          }
        }
      }
    }
    // And what its sender was told failed (FAIL, no echo) reached nobody.
    const unconfirmed: string[] = [];
    for (const x of chatters) {
      const mine = new Set([...got(x, x.c.nick, '#t').values()].map((s) => s.msg.params[1]));
      for (const y of chatters) {
        for (const s of got(y, x.c.nick, '#t').values()) {
          if (!mine.has(s.msg.params[1])) unconfirmed.push(`${y.c.nick} got "${s.msg.params[1]}"`);
        }
      }
    }
    t.diagnostic(`confirmed but lost: ${lost.join(', ') || 'none'}`);
    t.diagnostic(`unconfirmed but delivered: ${unconfirmed.join(', ') || 'none'}`);
    assert.deepEqual(lost, [], 'confirmed messages lost');
    assert.deepEqual(
      unconfirmed,
      [],
      'messages delivered though their sender was told they failed',
    );
  } finally {
    if (timer !== undefined) clearInterval(timer);
    for (const x of chatters) x.c.destroy();
    await Promise.all(nodes.map((n) => n.stop()));
    await redis.stop();
  }
});
