// Two small indexes of the shared state, at their edges: when a channel turns large (+u) and back (large.ts), and who is logged into an account (logins.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel } from '../../src/server/channel.js';
import { LargeChannels } from '../../src/server/large.js';
import { Logins } from '../../src/server/logins.js';
import type { User } from '../../src/server/user.js';

function switchWith(at: number, lobbyAt: number) {
  const large = new LargeChannels();
  large.at = at;
  large.lobbyAt = lobbyAt;
  large.lobby = '#lobby';
  const told: string[] = [];
  large.changed = (ch) => told.push(`${ch.name} ${ch.large ? '+u' : '-u'}`);
  return { large, told };
}

test('large: turns +u when a join finds the threshold reached, once; -u at half, not above', () => {
  const { large, told } = switchWith(10, 0);
  const ch = new Channel('#big', 0);
  large.joining(ch, 9);
  assert.equal(ch.large, false, '9 members: the tenth arrives normally');
  large.joining(ch, 10);
  assert.equal(ch.large, true);
  large.joining(ch, 11);
  assert.deepEqual(told, ['#big +u'], 'told once');
  large.left(ch, 6);
  assert.equal(ch.large, true, 'more than half the threshold: still large');
  large.left(ch, 5);
  assert.equal(ch.large, false);
  assert.deepEqual(told, ['#big +u', '#big -u']);
  large.left(ch, 4);
  assert.equal(told.length, 2, 'a small channel leaving is no news');
});

test('large: 0 turns it off; the default channel has its own threshold', () => {
  const { large, told } = switchWith(0, 3);
  const other = new Channel('#other', 0);
  large.joining(other, 1000);
  assert.equal(other.large, false, '--large-channel 0: never');
  const lobby = new Channel('#Lobby', 0);
  assert.equal(large.atFor(lobby), 3, 'found by its folded name');
  assert.equal(large.atFor(other), 0);
  large.joining(lobby, 2);
  assert.equal(lobby.large, false);
  large.joining(lobby, 3);
  assert.equal(lobby.large, true);
  large.left(lobby, 1);
  assert.equal(lobby.large, false, '3 >> 1 is 1');
  assert.deepEqual(told, ['#Lobby +u', '#Lobby -u']);
});

test('logins: several users per account, removed one by one; nobody logged in is no entry', () => {
  const logins = new Logins();
  const u = (account: string | null) => ({ account }) as unknown as User; // only .account is read
  const a1 = u('acct');
  const a2 = u('acct');
  const none = u(null);
  logins.add(a1);
  logins.add(a2);
  logins.add(none);
  assert.deepEqual([...logins.of('acct')], [a1, a2]);
  logins.remove(a1);
  assert.deepEqual([...logins.of('acct')], [a2]);
  logins.remove(none);
  logins.remove(a2);
  assert.equal(logins.of('acct').size, 0);
  logins.remove(a2); // twice: nothing to do
  assert.equal(logins.of('other').size, 0);
});
