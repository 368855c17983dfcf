// A Channel on its own (channel.ts): whose history it owns, masks and extbans (a:, m:) with their exceptions, invite exceptions, status prefixes and its mode string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, MEMBER, statusPrefix, type ListMode } from '../../src/server/channel.js';
import { Client } from '../../src/server/client.js';
import { nowhereConn } from '../../src/server/connection.js';
import { User } from '../../src/server/user.js';

/** A user `nick!~nick@host`, logged into `account` when given. */
function user(nick: string, account: string | null = null): User {
  const u = new User(
    nick,
    `~${nick}`,
    nick,
    'host.example',
    new Client(nowhereConn(), 'host.example'),
    0,
  );
  u.account = account?.toLowerCase() ?? null;
  u.accountName = account;
  return u;
}

/** A channel with these masks in its lists. */
function channel(lists: Partial<Record<ListMode, string[]>>): Channel {
  const c = new Channel('#c', 0);
  for (const [mode, masks] of Object.entries(lists) as Array<[ListMode, string[]]>) {
    for (const mask of masks) c.lists[mode].push({ mask, setBy: 'op', setAt: 0 });
  }
  return c;
}

test('a new channel: no topic, +nt, and it owns only the history after its name last ended', () => {
  const c = new Channel('#New', 5);
  assert.deepEqual(
    [c.name, c.folded, c.createdAt, c.topic, c.topicBy, c.topicAt],
    ['#New', '#new', 5, '', '', 0],
  );
  assert.deepEqual(c.modeString(true), ['+nt']);
  assert.equal(c.owns('0001'), true, "a name that never ended owns all of its name's history");
  c.historyFrom = '0005';
  assert.deepEqual(
    ['0004', '0005', '0006'].map((id) => c.owns(id)),
    [false, false, true],
  );
});

test('bans: plain masks and a: (account) extbans, lifted by a matching exception of either kind', () => {
  const carol = user('carol', 'Carol');
  const dave = user('dave');
  assert.equal(channel({ b: ['carol!*@*'] }).isBanned(carol), true);
  assert.equal(channel({ b: ['a:carol'] }).isBanned(carol), true, 'a: matches the account name');
  assert.equal(
    channel({ b: ['a:*'] }).isBanned(dave),
    false,
    'a: never matches a user not logged in',
  );
  assert.equal(channel({ b: ['a:bob'] }).isBanned(carol), false);
  assert.equal(
    channel({ b: ['a:carol!*@*'] }).isBanned(carol),
    false,
    'a: is matched against the account, not the prefix',
  );
  assert.equal(channel({ b: ['m:*!*@*'] }).isBanned(carol), false, 'm: mutes, it does not ban');
  assert.equal(channel({ b: ['*!*@*'], e: ['carol!*@*'] }).isBanned(carol), false);
  assert.equal(channel({ b: ['*!*@*'], e: ['a:carol'] }).isBanned(carol), false);
  assert.equal(channel({ b: ['*!*@*'], e: ['a:carol'] }).isBanned(dave), true);
  assert.equal(
    channel({ b: ['*!*@*'], e: ['m:*!*@*'] }).isBanned(carol),
    true,
    'an m: exception does not lift a ban',
  );
  assert.equal(
    channel({ b: ['a:'] }).isBanned(carol),
    false,
    'a bare `a:` is a plain mask that matches nobody',
  );
});

test('m: mutes by prefix; a plain, a: or m: exception lifts it', () => {
  const carol = user('carol', 'carol');
  const dave = user('dave');
  assert.equal(channel({ b: ['m:*!*@*'] }).isMuted(dave), true);
  assert.equal(
    channel({ b: ['m:carol!*@*'] }).isMuted(carol),
    true,
    'm: is matched against the prefix, not the account',
  );
  assert.equal(channel({ b: ['m:dave!*@*'] }).isMuted(carol), false);
  assert.equal(channel({ b: ['*!*@*'] }).isMuted(carol), false, 'a plain ban is no mute');
  assert.equal(channel({ b: ['a:*'] }).isMuted(carol), false, 'nor an a: ban');
  assert.equal(channel({ b: ['m:*!*@*'], e: ['carol!*@*'] }).isMuted(carol), false);
  assert.equal(channel({ b: ['m:*!*@*'], e: ['a:carol'] }).isMuted(carol), false);
  assert.equal(channel({ b: ['m:*!*@*'], e: ['m:carol!*@*'] }).isMuted(carol), false);
  assert.equal(channel({ b: ['m:*!*@*'], e: ['m:carol!*@*'] }).isMuted(dave), true);
});

test('who may speak: +n keeps out those outside, +m everyone without a status, outsiders too', () => {
  const c = new Channel('#c', 0);
  const [op, voiced, member, outsider] = ['op', 'voiced', 'member', 'outsider'].map((n) => user(n));
  c.members.set(op, MEMBER.OP);
  c.members.set(voiced, MEMBER.VOICE);
  c.members.set(member, 0);
  const speakers = () => [op, voiced, member, outsider].map((u) => c.canSpeak(u));
  assert.deepEqual(speakers(), [true, true, true, false], '+nt');
  c.flags.delete('n');
  assert.deepEqual(speakers(), [true, true, true, true], '+t');
  c.flags.add('m');
  assert.deepEqual(speakers(), [true, true, false, false], '+mt');
});

test('invite exceptions: a plain mask or an a: extban in +I', () => {
  assert.equal(channel({ I: ['carol!*@*'] }).isInviteExcepted(user('carol')), true);
  assert.equal(channel({ I: ['a:carol'] }).isInviteExcepted(user('carol', 'carol')), true);
  assert.equal(channel({ I: ['a:carol'] }).isInviteExcepted(user('carol')), false);
  assert.equal(channel({}).isInviteExcepted(user('carol')), false);
});

test('status prefixes, highest first, every one with multi-prefix', () => {
  const { OP, VOICE, QUIET } = MEMBER;
  const cases: Array<[number, string, string]> = [
    [0, '', ''],
    [QUIET, '', ''],
    [VOICE, '+', '+'],
    [OP, '@', '@'],
    [OP | VOICE, '@', '@+'],
    [OP | VOICE | QUIET, '@', '@+'],
  ];
  for (const [status, single, multi] of cases) {
    assert.equal(statusPrefix(status, false), single, `status ${status}`);
    assert.equal(statusPrefix(status, true), multi, `status ${status}, multi-prefix`);
  }
});

test("a channel's mode string: flags sorted, +u when large, the key only to those who may see it", () => {
  const c = new Channel('#c', 0);
  c.flags.add('m');
  c.large = true;
  c.key = 'sekrit';
  c.limit = 20;
  assert.deepEqual(c.modeString(true), ['+mntukl', 'sekrit', '20']);
  assert.deepEqual(c.modeString(false), ['+mntukl', '*', '20']);
});
