// Network.findUserBytes (nick-slots.ts): by a nick's bytes it finds whom findUser() would, through renames, departures, other spellings and slot collisions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../src/server/client.js';
import { nowhereConn } from '../../src/server/connection.js';
import { Network } from '../../src/server/network.js';
import { NickSlots, slotOf } from '../../src/server/nick-slots.js';
import { User } from '../../src/server/user.js';

function user(nick: string): User {
  return new User(nick, `~${nick}`, nick, 'host.example', new Client(nowhereConn(), 'h'), 0);
}

/** The nick inside a line, as the fast path has it: bytes in the middle of a read. */
function find(net: Network, nick: string): User | undefined {
  const line = Buffer.from(`PRIVMSG ${nick} :hi`, 'latin1');
  return net.findUserBytes(line, 8, 8 + nick.length);
}

test('findUserBytes finds whom findUser finds, spelled exactly or not, again and again', () => {
  const net = new Network();
  const bob = user('Bob');
  assert.ok(net.addUser(bob));
  for (const spelling of ['Bob', 'Bob', 'bob', 'BOB', 'bob']) {
    assert.equal(find(net, spelling), bob, spelling);
    assert.equal(find(net, spelling), net.findUser(spelling), spelling);
  }
  assert.equal(find(net, 'bobby'), undefined);
  assert.equal(find(net, 'Bo'), undefined);
});

test('after a rename the old nick finds nobody, or whoever took it since; after a quit, nobody', () => {
  const net = new Network();
  const bob = user('bob');
  net.addUser(bob);
  assert.equal(find(net, 'bob'), bob);
  assert.ok(net.renameUser(bob, 'robert', 0));
  assert.equal(find(net, 'bob'), undefined);
  assert.equal(find(net, 'robert'), bob);
  const other = user('bob');
  net.addUser(other);
  assert.equal(find(net, 'bob'), other);
  net.removeUser(other, 0);
  assert.equal(find(net, 'bob'), undefined);
  net.removeUser(bob, 0);
  assert.equal(find(net, 'robert'), undefined);
});

test('two nicks in one slot take turns in it, and each is found every time', () => {
  const bytes = (s: string) => Buffer.from(s, 'latin1');
  const bySlot = new Map<number, string>();
  let pair: [string, string] | null = null;
  for (let k = 0; pair === null && k < 100_000; k++) {
    const nick = `u${k}`;
    const slot = slotOf(bytes(nick), 0, nick.length);
    const before = bySlot.get(slot);
    if (before !== undefined) pair = [before, nick];
    bySlot.set(slot, nick);
  }
  assert.ok(pair !== null, 'a pair of nicks to test with');
  const net = new Network();
  const [a, b] = pair.map((n) => user(n));
  net.addUser(a);
  net.addUser(b);
  for (let round = 0; round < 3; round++) {
    assert.equal(find(net, a.nick), a);
    assert.equal(find(net, b.nick), b);
  }
});

test('a nick that begins another one, in the same slot, is not taken for it', () => {
  let k = 0;
  const slot = (s: string) => slotOf(Buffer.from(s, 'latin1'), 0, s.length);
  while (k < 1_000_000 && slot(`n${k}`) !== slot(`n${k}x`)) k++;
  assert.ok(k < 1_000_000, 'a pair of nicks to test with');
  const net = new Network();
  const short = user(`n${k}`);
  net.addUser(short);
  assert.equal(find(net, short.nick), short);
  assert.equal(find(net, `${short.nick}x`), undefined);
});

test('NickSlots keeps only exact spellings and lets go of whoever it is told to forget', () => {
  const slots = new NickSlots();
  const bob = user('bob');
  const at = (s: string) => [Buffer.from(s), 0, s.length] as const;
  assert.equal(slots.set(...at('BOB'), bob), false, 'another spelling is not kept');
  assert.equal(slots.get(...at('BOB')), undefined);
  assert.equal(slots.set(...at('bob'), bob), true);
  assert.equal(slots.get(...at('bob')), bob);
  slots.forget(bob);
  assert.equal(slots.get(...at('bob')), undefined, 'no reference left to a departed user');
});
