// Accounts and history across real cluster nodes sharing one Redis store (--db redis://): seen from every node, each message kept once, in the network's order.
import { test } from 'node:test';
import { loggedIn, makeAccount } from '../helpers/accounts.js';
import { eventually } from '../helpers/eventually.js';
import { sharedStoreNode } from '../helpers/cluster.js';
import { TestClient } from '../helpers/irc.js';
import { haveRedis, nickHeld, startRedis } from '../helpers/redis.js';
import { startServe } from '../interop/serve.js';

const CAPS = ['echo-message', 'server-time', 'message-tags', 'batch', 'draft/chathistory'];

test('two nodes on one Redis store: an account from either node, channel history once and in order, an offline message', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const args = (id: string) => sharedStoreNode(redis, id);
  const a = await startServe(args('n1'));
  const b = await startServe(args('n2'));
  try {
    await makeAccount(a.port, 'alice', 'correct-horse-battery'); // registered on n1
    await eventually(async () => !(await nickHeld(redis, 'alice')), 'n1 freed alice');
    const alice = await loggedIn(b.port, 'alice', 'correct-horse-battery', CAPS); // logs in on n2
    const bob = await TestClient.register(a.port, 'bob', CAPS, false);
    alice.send('JOIN #h');
    await alice.expect((m) => m.command === '366');
    bob.send('JOIN #h');
    await alice.expect((m) => m.command === 'JOIN' && m.source?.startsWith('bob!') === true);
    for (let i = 0; i < 5; i++) {
      alice.send(`PRIVMSG #h :a${i}`);
      bob.send(`PRIVMSG #h :b${i}`);
    }
    const seen: string[] = [];
    while (seen.length < 10) {
      const m = await bob.expect((x) => x.command === 'PRIVMSG' && x.params[0] === '#h');
      seen.push(`${m.params[1]} ${m.tags?.get('msgid')}`);
    }
    // History asked on either node: every message once, in the order the members saw.
    for (const c of [alice, bob]) {
      await eventually(async () => {
        const got = await c.replies('CHATHISTORY LATEST #h * 50');
        const lines = got.filter((m) => m.command === 'PRIVMSG');
        return (
          lines.map((m) => `${m.params[1]} ${m.tags?.get('msgid')}`).join('|') === seen.join('|')
        );
      }, 'history holds the ten messages once, in order');
    }
    // A private message to alice while she is offline (sent from n1), delivered at her login on n2.
    await alice.quit();
    await eventually(async () => {
      const r = await bob.replies('ISON alice');
      return !r.some((m) => m.command === '303' && m.params[1] === 'alice');
    }, 'alice gone');
    bob.send('PRIVMSG alice :while you were away');
    await bob.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'while you were away');
    const back = await loggedIn(b.port, 'alice', 'correct-horse-battery', CAPS);
    await back.expect((m) => m.command === 'PRIVMSG' && m.params[1] === 'while you were away');
    // Her account shows on the other node too.
    await eventually(
      async () => (await bob.replies('WHOIS alice')).some((m) => m.command === '330'),
      'WHOIS 330 on n1',
    );
    for (const c of [back, bob]) c.destroy();
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }
});
