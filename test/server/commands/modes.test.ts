// MODE over real TCP: each refusal word for word, changes that change nothing, limits and bans at their edges, user modes.
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
    .filter((r) => r.msg.command !== 'PONG')
    .map((r) => r.raw.replace(/^:(\w+)!\S+/, ':$1'));
}

/** alice (operator of #c) and bob (member), on a server without a lobby. */
async function channel(body: (alice: TestClient, bob: TestClient) => Promise<void>) {
  const srv = await startServer({ defaultChannel: '' });
  const alice = await TestClient.register(srv.port, 'alice', [], false);
  const bob = await TestClient.register(srv.port, 'bob', [], false);
  try {
    for (const c of [alice, bob]) {
      c.send('JOIN #c');
      await c.expectCommand('366', c.nick, '#c');
    }
    await alice.sync();
    await body(alice, bob);
  } finally {
    alice.destroy();
    bob.destroy();
    await srv.stop();
  }
}

const S = ':parley.local';

test('refused channel modes, word for word', async () => {
  await channel(async (alice) => {
    const cases: Array<[string, string]> = [
      ['MODE #c +o', `${S} 696 alice #c o * :You must specify a nick`],
      ['MODE #c +k', `${S} 696 alice #c k * :You must specify a key`],
      ['MODE #c +k a,b', `${S} 525 alice #c :Key is not well-formed`],
      ['MODE #c +k ::x', `${S} 525 alice #c :Key is not well-formed`],
      ['MODE #c +l', `${S} 696 alice #c l * :You must specify a limit`],
      ['MODE #c +l :', `${S} 696 alice #c l * :You must specify a limit`],
      ['MODE #c +l 0', `${S} 696 alice #c l 0 :Limit must be a positive integer`],
      ['MODE #c +l x5', `${S} 696 alice #c l x5 :Limit must be a positive integer`],
      ['MODE #c +l 5x', `${S} 696 alice #c l 5x :Limit must be a positive integer`],
      ['MODE #c +l 1234567890', `${S} 696 alice #c l 1234567890 :Limit must be a positive integer`],
      ['MODE #c +b a,b', `${S} 696 alice #c b a,b :Invalid ban mask`],
      ['MODE #c +o nobody', `${S} 401 alice nobody :No such nick/channel`],
    ];
    for (const [line, want] of cases) assert.deepEqual(await replies(alice, line), [want], line);
  });
});

test('a colon inside a key or a ban mask is fine; only a leading one is refused', async () => {
  await channel(async (alice) => {
    assert.deepEqual(await replies(alice, 'MODE #c +k a:b'), [':alice MODE #c +k a:b']);
    assert.deepEqual(await replies(alice, 'MODE #c +b *!*@2001:db8::1'), [
      ':alice MODE #c +b *!*@2001:db8::1',
    ]);
  });
});

test('modes already so change nothing and send no MODE line', async () => {
  await channel(async (alice) => {
    for (const line of ['MODE #c -k', 'MODE #c -l', 'MODE #c -b nobody', 'MODE #c -v bob']) {
      assert.deepEqual(await replies(alice, line), [], line);
    }
    assert.deepEqual(await replies(alice, 'MODE #c +k same'), [':alice MODE #c +k same']);
    assert.deepEqual(await replies(alice, 'MODE #c +k same'), []);
    assert.deepEqual(await replies(alice, 'MODE #c +l 007'), [':alice MODE #c +l 7']);
    assert.deepEqual(await replies(alice, 'MODE #c +b x'), [':alice MODE #c +b x!*@*']);
    assert.deepEqual(await replies(alice, 'MODE #c +b x'), []);
    assert.deepEqual(await replies(alice, 'MODE #c -b y'), []);
    const list = await replies(alice, 'MODE #c bb');
    assert.equal(list.length, 2, list.join('\n'));
    assert.match(list[0], /^:parley\.local 367 alice #c x!\*@\* alice!~alice@\S+ \d+$/);
    assert.equal(list[1], `${S} 368 alice #c :End of channel ban list`);
  });
});

test('past four parameter modes the rest are ignored; 367 gives the time in seconds', async () => {
  await channel(async (alice) => {
    const before = Math.floor(Date.now() / 1000);
    assert.deepEqual(await replies(alice, 'MODE #c +bbbbb a b c d e'), [
      ':alice MODE #c +bbbb a!*@* b!*@* c!*@* d!*@*',
    ]);
    const bans = (await replies(alice, 'MODE #c +b')).slice(0, -1);
    assert.equal(bans.length, 4);
    for (const b of bans) {
      const at = Number(b.split(' ').at(-1));
      assert.ok(at >= before && at <= Math.ceil(Date.now() / 1000), `367 time ${at}`);
    }
  });
});

test('user modes: + is the default sign, +/- both count, -o needs no operator, 401 word for word', async () => {
  await channel(async (alice) => {
    assert.deepEqual(await replies(alice, 'MODE alice i'), [':alice MODE alice +i']);
    assert.deepEqual(await replies(alice, 'MODE alice -i+i'), [':alice MODE alice -i+i']);
    assert.deepEqual(await replies(alice, 'MODE alice -o'), []);
    assert.deepEqual(await replies(alice, 'MODE alice +i'), []);
    assert.deepEqual(await replies(alice, 'MODE alice'), [`${S} 221 alice +i`]);
    assert.deepEqual(await replies(alice, 'MODE nobody +i'), [
      `${S} 401 alice nobody :No such nick/channel`,
    ]);
  });
});
