// draft/multiline across cluster nodes in this process: a batch to a channel or to a user of another node arrives whole, with one msgid, in the network's order, with their client tags; with Redis away, on this node alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inProcessNode } from '../helpers/cluster.js';
import { eventually } from '../helpers/eventually.js';
import { TestClient } from '../helpers/irc.js';
import { haveRedis, startRedis } from '../helpers/redis.js';
import type { Message } from '../../src/protocol/index.js';

const ML = ['draft/multiline', 'batch', 'message-tags', 'echo-message'];

/** Send a multiline batch `id` of `lines` to `target` ('+' before a line: joined to the one before). */
function sendBatch(c: TestClient, id: string, target: string, lines: string[]): void {
  c.send(`BATCH +${id} draft/multiline ${target}`);
  for (const l of lines) {
    const concat = l.startsWith('+');
    const tags = `@batch=${id}${concat ? ';draft/multiline-concat' : ''}`;
    c.send(`${tags} PRIVMSG ${target} :${concat ? l.slice(1) : l}`);
  }
  c.send(`BATCH -${id}`);
}

/** The next multiline batch `c` receives from `nick`: its msgid and its lines ('+' marks a joined one). */
async function nextBatch(c: TestClient, nick: string): Promise<{ msgid: string; lines: string[] }> {
  const open = await c.expect(
    (m) =>
      m.command === 'BATCH' &&
      m.params[0].startsWith('+') &&
      m.source?.startsWith(nick + '!') === true,
  );
  const id = open.params[0].slice(1);
  await c.expect((m) => m.command === 'BATCH' && m.params[0] === `-${id}`);
  const inner = c.all('PRIVMSG').filter((m: Message) => m.tags?.get('batch') === id);
  return {
    msgid: open.tags?.get('msgid') ?? '',
    lines: inner.map((m) => (m.tags?.has('draft/multiline-concat') ? '+' : '') + m.params[1]),
  };
}

test('multiline across nodes: to a channel and to a user of another node, whole, one msgid everywhere', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const node = (id: string) => inProcessNode(redis, null, id);
  const a = await node('n1');
  const b = await node('n2');
  try {
    const alice = await TestClient.register(a.port, 'alice', ML, false);
    const dave = await TestClient.register(a.port, 'dave', ML, false);
    const bob = await TestClient.register(b.port, 'bob', ML, false);
    const carol = await TestClient.register(b.port, 'carol', ['message-tags'], false);
    for (const c of [alice, dave, bob, carol]) await c.replies('JOIN #m');
    await eventually(
      async () => (await bob.replies('NAMES #m')).some((m) => /dave/.test(m.params[3] ?? '')),
      'all four in #m on n2',
    );

    const text = ['first line', '', 'second, ', '+joined'];
    sendBatch(alice, 'x1', '#m', text);
    const echo = await nextBatch(alice, 'alice');
    assert.deepEqual(echo.lines, text, 'the echo');
    assert.match(echo.msgid, /^[0-9a-z]{13}$/, 'a msgid of its place in the network order');
    for (const c of [dave, bob]) {
      assert.deepEqual(await nextBatch(c, 'alice'), echo, `${c.nick} got it whole`);
    }
    // Without the cap: one message per non-blank line, the first with the batch's msgid.
    await carol.expectCommand('PRIVMSG', '#m', 'joined');
    const lines = carol.all('PRIVMSG').filter((m) => m.params[0] === '#m');
    assert.deepEqual(
      lines.map((m) => [m.params[1], m.tags?.get('msgid')]),
      [
        ['first line', echo.msgid],
        ['second, ', undefined],
        ['joined', undefined],
      ],
    );

    // To a user of the other node, both ways.
    sendBatch(alice, 'x2', 'bob', ['hello bob', 'two lines']);
    const toBob = await nextBatch(bob, 'alice');
    assert.deepEqual(toBob.lines, ['hello bob', 'two lines']);
    assert.equal((await nextBatch(alice, 'alice')).msgid, toBob.msgid, "alice's echo, same msgid");
    sendBatch(bob, 'y1', 'alice', ['back', '+ at you']);
    assert.deepEqual((await nextBatch(alice, 'bob')).lines, ['back', '+ at you']);
    assert.equal(
      dave.all('PRIVMSG').filter((m) => m.params[0] !== '#m').length,
      0,
      'dave saw none',
    );

    // Refused on every node alike, answered once: a moderated channel and an unvoiced sender.
    await alice.replies('MODE #m +m');
    await eventually(
      async () => (await bob.replies('MODE #m')).some((m) => /m/.test(m.params[2] ?? '')),
      '+m on n2',
    );
    const mark = bob.received.length;
    sendBatch(bob, 'y2', '#m', ['not now']);
    const refusal = await bob.expect((m) => m.command === '404');
    assert.equal(refusal.params[1], '#m');
    await bob.sync();
    const after = bob.received.slice(mark).map((r) => r.msg.command);
    assert.equal(after.filter((c) => c === '404').length, 1, 'one 404');
    assert.equal(after.filter((c) => c === 'BATCH').length, 0, 'no echo');
    await alice.sync();
    assert.equal(
      alice.all('PRIVMSG').some((m) => m.params[1] === 'not now'),
      false,
      'the refused batch reached nobody',
    );
    for (const c of [alice, dave, bob, carol]) c.destroy();
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }
});

test("multiline across nodes: the batch's client tags reach the other node, a BATCH that does not close it fails it there and then, and with Redis away it reaches this node's members", async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  const a = await inProcessNode(redis, null, 'n1');
  const b = await inProcessNode(redis, null, 'n2');
  try {
    const alice = await TestClient.register(a.port, 'alice', ML, false);
    const dave = await TestClient.register(a.port, 'dave', ML, false);
    const bob = await TestClient.register(b.port, 'bob', ML, false);
    for (const c of [alice, dave, bob]) await c.replies('JOIN #m');
    await eventually(
      async () => (await bob.replies('NAMES #m')).some((m) => /dave/.test(m.params[3] ?? '')),
      'all three in #m on n2',
    );

    // A client-only tag on the opening line: on every delivered batch, the other node's too.
    alice.send('@+example.org/mood=calm BATCH +t1 draft/multiline #m');
    alice.send('@batch=t1 PRIVMSG #m :tagged');
    alice.send('BATCH -t1');
    for (const c of [alice, dave, bob]) {
      const open = await c.expect((m) => m.command === 'BATCH' && m.params[0].startsWith('+'));
      assert.equal(open.tags?.get('+example.org/mood'), 'calm', `${c.nick}'s batch has the tag`);
      await c.expect((m) => m.command === 'BATCH' && m.params[0].startsWith('-'));
    }

    // A BATCH that names another batch, or opens one inside it, fails the open batch: its end
    // then sends nothing, on any node.
    for (const wrong of ['BATCH -nope', 'BATCH +inner draft/multiline #m']) {
      alice.send('BATCH +w1 draft/multiline #m');
      alice.send('@batch=w1 PRIVMSG #m :never sent');
      alice.send(wrong);
      await alice.expect((m) => m.command === 'FAIL' && m.params[1] === 'MULTILINE_INVALID');
      alice.send('BATCH -w1');
    }
    await alice.sync();
    sendBatch(alice, 'ok', '#m', ['after them']);
    for (const c of [dave, bob])
      assert.deepEqual((await nextBatch(c, 'alice')).lines, ['after them']);
    const never = (c: TestClient) => c.all('PRIVMSG').filter((m) => m.params[1] === 'never sent');
    assert.deepEqual([never(alice), never(dave), never(bob)], [[], [], []]);

    // Redis away: a batch reaches this node's members at once (the order cannot carry it).
    await redis.stop();
    await eventually(() => a.server.cluster?.reachable === false, 'n1 without Redis');
    sendBatch(alice, 'd1', '#m', ['while alone', '+ still whole']);
    assert.deepEqual((await nextBatch(dave, 'alice')).lines, ['while alone', '+ still whole']);
    for (const c of [alice, dave, bob]) c.destroy();
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await redis.stop();
  }
});
