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

test('nicks that differ only at the end spread over the slots', () => {
  // Load generators and bridges name their users u0, u1, ...: before the hash was mixed, half of
  // 500 such nicks shared a slot (and took turns missing). Uniform hashing leaves about 11.5%.
  const used = new Map<number, number>();
  for (let k = 0; k < 500; k++) {
    const slot = slotOf(Buffer.from(`u${k}`, 'latin1'), 0, `u${k}`.length);
    used.set(slot, (used.get(slot) ?? 0) + 1);
  }
  let shared = 0;
  for (const n of used.values()) if (n > 1) shared += n;
  assert.ok(shared < 100, `${shared} of 500 nicks share a slot`);
});

test('the slots grow with the network, and everyone is still found after they do', () => {
  const net = new Network();
  const users = Array.from({ length: 5000 }, (_, k) => user(`u${k}`));
  for (const u of users) assert.ok(net.addUser(u));
  const slots = (net as unknown as { nickSlots: NickSlots }).nickSlots;
  assert.equal(slots.size, 4096, 'no slots are added before a message needs them');
  for (let round = 0; round < 2; round++) {
    for (const u of users) assert.equal(find(net, u.nick), u, u.nick);
  }
  assert.equal(slots.size, 16384, 'twice the population, rounded up to a power of two');
  // Most are in their slot now; only those who share one take turns in it.
  let hits = 0;
  for (const u of users)
    if (slots.get(Buffer.from(u.nick, 'latin1'), 0, u.nick.length) === u) hits++;
  assert.ok(hits > 4000, `${hits} of 5000 in their slots`);
});
