// labeled-response over real TCP: the label echoed escaped, and the reply as one line, plain lines after it, or a BATCH.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../../helpers/irc.js';

/** The raw lines the server answers to `line`, up to (not including) a sync's PONG. */
async function replies(c: TestClient, line: string): Promise<string[]> {
  await c.sync();
  const from = c.received.length;
  c.send(line);
  await c.sync();
  return c.received
    .slice(from)
    .filter((r) => r.msg.command !== 'PONG' || r.msg.params[1] === 'tok')
    .map((r) => r.raw);
}

const TIME = 'time=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

test('the label comes back with ; space \\ CR and LF escaped again', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const a = await TestClient.register(srv.port, 'alice', ['labeled-response'], false);
    const label = 'a\\:b\\sc\\\\d\\re\\nf';
    assert.deepEqual(await replies(a, `@label=${label} PING tok`), [
      `@label=${label} :parley.local PONG parley.local tok`,
    ]);
    a.destroy();
  } finally {
    await srv.stop();
  }
});

test('without batch: the first reply carries the label, the others follow untouched', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const caps = ['labeled-response', 'server-time', 'echo-message'];
    const a = await TestClient.register(srv.port, 'alice', caps, false);
    const b = await TestClient.register(srv.port, 'bob', [], false);
    const lusers = await replies(a, '@label=l1 LUSERS');
    assert.deepEqual(
      lusers.map((raw) => raw.split(' ').slice(0, 3).join(' ')),
      [
        '@label=l1 :parley.local 251',
        ':parley.local 252 alice',
        ':parley.local 253 alice',
        ':parley.local 254 alice',
        ':parley.local 255 alice',
        ':parley.local 265 alice',
        ':parley.local 266 alice',
      ],
    );
    // Stamped events keep their own tags: after the label on the first line, alone on the next.
    a.send('JOIN #a');
    await a.expectCommand('366');
    const echoes = await replies(a, '@label=m1 PRIVMSG #a,bob :hi');
    assert.equal(echoes.length, 2, echoes.join('\n'));
    assert.match(echoes[0], new RegExp(`^@label=m1;${TIME} :alice!~alice@\\S+ PRIVMSG #a hi$`));
    assert.match(echoes[1], new RegExp(`^@${TIME} :alice!~alice@\\S+ PRIVMSG bob hi$`));
    a.destroy();
    b.destroy();
  } finally {
    await srv.stop();
  }
});

test('with batch: every reply inside a labeled-response BATCH, stamped ones keeping their tags', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const caps = ['labeled-response', 'batch', 'server-time'];
    const a = await TestClient.register(srv.port, 'alice', caps, false);
    const lines = await replies(a, '@label=j1 JOIN #a');
    const open = /^@label=j1 :parley\.local BATCH \+(\S+) labeled-response$/.exec(lines[0]);
    assert.ok(open, lines[0]);
    const id = open[1];
    assert.match(lines[1], new RegExp(`^@batch=${id};${TIME} :alice!~alice@\\S+ JOIN #a$`));
    assert.equal(lines[2], `@batch=${id} :parley.local 353 alice = #a @alice`);
    assert.equal(lines[3], `@batch=${id} :parley.local 366 alice #a :End of /NAMES list`);
    assert.equal(lines[4], `:parley.local BATCH -${id}`);
    assert.equal(lines.length, 5);
    a.destroy();
  } finally {
    await srv.stop();
  }
});

test('a command word that is no command still gets a labeled 421; a message to oneself is labeled once', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const caps = ['labeled-response', 'echo-message', 'batch'];
    const a = await TestClient.register(srv.port, 'alice', caps, false);
    assert.deepEqual(await replies(a, '@label=x1 NO_SUCH_COMMAND arg'), [
      '@label=x1 :parley.local 421 alice NO_SUCH_COMMAND :Unknown command',
    ]);
    const self = await replies(a, '@label=x2 PRIVMSG alice :me');
    assert.equal(self.length, 2, self.join('\n'));
    assert.equal(self.filter((l) => /^@label=x2[; ]/.test(l)).length, 1, self.join('\n'));
    for (const l of self) assert.match(l, / PRIVMSG alice :?me$/);
    a.destroy();
  } finally {
    await srv.stop();
  }
});
