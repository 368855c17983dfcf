// Nick reservation over real TCP: whoever takes a registered nick is told at once and renamed Guest<N> after --nick-grace unless logged in by then; hopping away and back keeps the first deadline; each renamed user gets a Guest nick of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from '../../helpers/irc.js';
import { makeAccount } from '../../helpers/accounts.js';
import { withServer } from './accounts-kit.js';

test('a registered nick: NOTICE at once, renamed Guest<N> after --nick-grace; logging in in time keeps it', async () => {
  await withServer(
    async (srv) => {
      await makeAccount(srv.port, 'mallory', 'mallorypassword');
      const c = await TestClient.register(srv.port, 'mallory', [], false);
      const warn = await c.expectCommand('NOTICE', 'mallory');
      assert.match(warn.params[1], /log in within 30s/);
      srv.advance(29_000);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(c.all('NICK').length, 0);
      srv.advance(2_000);
      const nick = await c.expectCommand('NICK');
      assert.match(nick.params[0], /^Guest\d{5}$/);
      // Someone who identifies within the grace keeps the nick.
      const d = await TestClient.register(srv.port, 'mallory', [], false);
      await d.expectCommand('NOTICE', 'mallory');
      d.send('NS IDENTIFY mallorypassword');
      await d.expectCommand('900');
      srv.advance(60_000);
      await new Promise((r) => setTimeout(r, 1100));
      await d.sync();
      assert.equal(d.all('NICK').length, 0);
      c.destroy();
      d.destroy();
    },
    {},
    true,
  );
});

test('hopping away and back keeps the first deadline; a user who moved off the nick keeps its new one', async () => {
  await withServer(
    async (srv) => {
      await makeAccount(srv.port, 'rita', 'ritaspassword');
      await makeAccount(srv.port, 'sam', 'samspassword');
      const c = await TestClient.register(srv.port, 'rita', [], false);
      await c.expectCommand('NOTICE', 'rita');
      srv.advance(20_000);
      c.send('NICK rita_');
      await c.expectCommand('NICK');
      c.send('NICK rita');
      await c.expectCommand('NICK');
      const d = await TestClient.register(srv.port, 'sam', [], false);
      await d.expectCommand('NOTICE', 'sam');
      d.send('NICK sammy');
      await d.expectCommand('NICK');
      srv.advance(11_000); // 31 s after rita arrived: the first deadline, not 30 s after the hop
      const guest = await c.expectCommand('NICK');
      assert.match(guest.params[0], /^Guest\d{5}$/);
      assert.equal(c.all('NOTICE').filter((n) => n.params[1].includes('log in within')).length, 1);
      srv.advance(30_000);
      await new Promise((r) => setTimeout(r, 1100));
      await d.sync();
      assert.equal(d.all('NICK').length, 1, 'sammy stays sammy');
      c.destroy();
      d.destroy();
    },
    {},
    true,
  );
});

test('renamed users get Guest nicks of their own', async () => {
  await withServer(
    async (srv) => {
      const users: TestClient[] = [];
      for (const name of ['tom', 'una', 'vic']) {
        await makeAccount(srv.port, name, `${name}spassword`);
        users.push(await TestClient.register(srv.port, name, [], false));
      }
      const guests = new Set<string>();
      for (const u of users) guests.add((await u.expectCommand('NICK')).params[0]);
      assert.equal(guests.size, 3);
      for (const u of users) u.destroy();
    },
    { nickGrace: 0 },
  );
});

test('--nick-grace 0 renames at once, on arrival and on NICK', async () => {
  await withServer(
    async (srv) => {
      await makeAccount(srv.port, 'nina', 'ninaspassword');
      const c = await TestClient.register(srv.port, 'nina', [], false);
      assert.match((await c.expectCommand('NICK')).params[0], /^Guest\d{5}$/);
      // Taking it with NICK later is the same.
      c.send('NICK nina');
      await c.expectCommand('NICK', 'nina');
      assert.match((await c.expectCommand('NICK')).params[0], /^Guest\d{5}$/);
      c.destroy();
    },
    { nickGrace: 0 },
  );
});
