// ChanServ over real TCP and a real SQLite file: a registered channel keeps its topic, modes and bans across a restart, and only its founder is made operator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { loggedIn, makeAccount } from '../../helpers/accounts.js';
import { startServer, TestClient, type TestServer } from '../../helpers/irc.js';

const notices = (ms: { command: string; source?: string | null; params: string[] }[]) =>
  ms
    .filter((m) => m.command === 'NOTICE' && m.source?.startsWith('ChanServ!'))
    .map((m) => m.params[1]);

const RESTORED = 'registered channels restored';

/**
 * `fn` with start(), which starts a server (no default channel) on one SQLite file in a new
 * directory: again for a restart on the same file. Every server stops, and the directory goes.
 */
async function onOneFile(fn: (start: () => Promise<TestServer>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-chanserv-'));
  const db = join(dir, 'parley.db');
  const started: TestServer[] = [];
  const start = async () => {
    const srv = await startServer({ defaultChannel: '' }, 'text', false, openSqliteStore(db));
    started.push(srv);
    return srv;
  };
  try {
    await fn(start);
  } finally {
    for (const srv of started) await srv.stop(); // a second stop() does nothing
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a registered channel outlives its members and a restart, with topic, modes and bans; its founder gets op', () =>
  onOneFile(async (start) => {
    let srv = await start();
    assert.ok(!srv.logged().includes(RESTORED), 'nothing to restore on a new file');
    await makeAccount(srv.port, 'alice', 'alice-pw');
    const alice = await loggedIn(srv.port, 'alice', 'alice-pw');
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    alice.send('JOIN #keep');
    await alice.expectCommand('366', 'alice', '#keep');
    // Not logged in, not an operator, no such channel: each refused in words.
    assert.match(
      notices(await bob.replies('PRIVMSG ChanServ :REGISTER #keep')).join(),
      /Log in first/,
    );
    assert.match(notices(await alice.replies('CS REGISTER #nowhere')).join(), /does not exist/);
    assert.match(
      notices(await alice.replies('PRIVMSG ChanServ :REGISTER #keep')).join(),
      /is registered to you/,
    );
    alice.send('TOPIC #keep :kept across restarts');
    alice.send('MODE #keep +k sesame');
    alice.send('MODE #keep +b troll!*@*');
    await alice.sync();
    // Everyone leaves: the channel stays.
    await alice.quit();
    await bob.sync();
    assert.ok(
      (await bob.replies('LIST #keep')).some((m) => m.command === '322' && m.params[1] === '#keep'),
      'an empty registered channel is still listed',
    );
    bob.destroy();
    await srv.stop();

    srv = await start();
    assert.ok(srv.logged().includes(RESTORED));
    const carol = await TestClient.register(srv.port, 'carol', [], false);
    const [refused] = await carol.replies('JOIN #keep');
    assert.equal(refused.command, '475', 'the key survived the restart');
    const joined = await carol.replies('JOIN #keep sesame');
    assert.ok(joined.some((m) => m.command === '332' && m.params[2] === 'kept across restarts'));
    const names = joined.find((m) => m.command === '353')!;
    assert.equal(names.params.at(-1), 'carol', 'the first to join is not made operator');
    const bans = await carol.replies('MODE #keep b');
    // Who set the ban, and when, outlive the restart too.
    const ban = bans.find((m) => m.command === '367' && m.params[2] === 'troll!*@*');
    assert.ok(ban, bans.map((m) => m.params.join(' ')).join('\n'));
    assert.match(ban.params[3], /^alice!/);
    assert.ok(Math.abs(Number(ban.params[4]) - Date.now() / 1000) < 120, ban.params[4]);
    assert.match(
      notices(await carol.replies('CS INFO #keep')).join(),
      /#keep: founder alice, registered /,
    );
    assert.match(notices(await carol.replies('CS DROP #keep')).join(), /Only the founder/);
    const alice2 = await loggedIn(srv.port, 'alice', 'alice-pw');
    const back = await alice2.replies('JOIN #keep sesame');
    assert.match(back.find((m) => m.command === '353')!.params.at(-1)!, /@alice/);
    assert.match(notices(await alice2.replies('CS DROP #keep')).join(), /no longer registered/);
    // Dropped while empty, a registered channel is gone at once: made anew by the next to join.
    await alice2.replies('JOIN #gone');
    assert.match(notices(await alice2.replies('CS REGISTER #gone')).join(), /registered to you/);
    await alice2.replies('PART #gone');
    const listed = async () => (await carol.replies('LIST #gone')).some((m) => m.command === '322');
    assert.equal(await listed(), true, 'registered and empty: kept');
    assert.match(notices(await alice2.replies('CS DROP #gone')).join(), /no longer registered/);
    assert.equal(await listed(), false, 'dropped and empty: gone');
    const anew = await carol.replies('JOIN #gone');
    assert.equal(anew.find((m) => m.command === '353')?.params.at(-1), '@carol');
    carol.destroy();
    alice2.destroy();
  }));

test('a registered channel renamed keeps its registration under the new name, across a restart', () =>
  onOneFile(async (start) => {
    let srv = await start();
    await makeAccount(srv.port, 'alice', 'alice-pw');
    const alice = await loggedIn(srv.port, 'alice', 'alice-pw');
    await alice.replies('JOIN #old');
    assert.match(notices(await alice.replies('CS REGISTER #old')).join(), /registered to you/);
    await alice.replies('TOPIC #old :moved with it');
    const renamed = await alice.replies('RENAME #old #new :a better name');
    assert.ok(
      renamed.some((m) => m.command === 'RENAME' || m.command === 'JOIN'),
      'renamed',
    );
    alice.destroy();
    await srv.stop();

    srv = await start();
    const bob = await TestClient.register(srv.port, 'bob', [], false);
    assert.match(notices(await bob.replies('CS INFO #new')).join(), /#new: founder alice/);
    assert.match(notices(await bob.replies('CS INFO #old')).join(), /does not exist/);
    const joined = await bob.replies('JOIN #new');
    assert.ok(joined.some((m) => m.command === '332' && m.params[2] === 'moved with it'));
    bob.destroy();
  }));
