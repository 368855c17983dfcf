// MONITOR's index both ways (who watches a nick, what a user watches) as entries come and go, and the 730/731 news it sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Monitors } from '../../src/server/monitor.js';
import type { User } from '../../src/server/user.js';

function watcher(nick: string): User & { got: string[] } {
  const got: string[] = [];
  const u = { nick, got, client: { conn: { send: (b: Buffer) => got.push(b.toString()) } } };
  return u as unknown as User & { got: string[] };
}

test('add: both directions, and a nick added again keeps its first spelling', () => {
  const m = new Monitors();
  const ann = watcher('ann');
  m.add(ann, 'bob', 'Bob');
  m.add(ann, 'bob', 'BOB');
  m.add(ann, 'cy', 'cy');
  assert.deepEqual(
    [...m.listOf(ann)],
    [
      ['bob', 'Bob'],
      ['cy', 'cy'],
    ],
  );
  assert.deepEqual([...m.watchersOf('bob')!], [ann]);
  assert.equal(m.listOf(watcher('nobody')).size, 0);
  assert.equal(m.watchersOf('nobody'), undefined);
});

test('remove: only what was there; a nick nobody watches and a user who watches nothing are dropped', () => {
  const m = new Monitors();
  const ann = watcher('ann');
  const dan = watcher('dan');
  m.remove(ann, 'bob'); // watches nothing yet
  m.add(ann, 'bob', 'bob');
  m.add(ann, 'cy', 'cy');
  m.add(dan, 'bob', 'bob');
  m.remove(ann, 'zed'); // not on ann's list: nothing changes
  assert.deepEqual([...m.watchersOf('bob')!], [ann, dan]);

  m.remove(ann, 'bob');
  assert.deepEqual([...m.listOf(ann).keys()], ['cy'], 'ann still watches cy');
  assert.deepEqual([...m.watchersOf('bob')!], [dan], 'dan still watches bob');
  m.remove(dan, 'bob');
  assert.equal(m.watchersOf('bob'), undefined, 'nobody watches bob: no entry left');
  assert.equal(m.listOf(dan).size, 0);
  m.remove(ann, 'cy');
  assert.equal(m.watchersOf('cy'), undefined);
  assert.equal(m.listOf(ann).size, 0);
});

test('clear: everything a user watches, and nobody else is touched', () => {
  const m = new Monitors();
  const ann = watcher('ann');
  const dan = watcher('dan');
  for (const n of ['a', 'b', 'c']) m.add(ann, n, n);
  m.add(dan, 'b', 'b');
  m.clear(ann);
  m.clear(watcher('nobody'));
  assert.equal(m.listOf(ann).size, 0);
  assert.equal(m.watchersOf('a'), undefined);
  assert.deepEqual([...m.watchersOf('b')!], [dan]);
});

test('tell: 730 with the full prefix, 731 with the nick, to every watcher of the folded nick', () => {
  const m = new Monitors();
  const ann = watcher('ann');
  const dan = watcher('dan');
  m.add(ann, 'bob', 'Bob');
  m.add(dan, 'bob', 'bob');
  m.tell('irc.test', 'BOB', 'BOB!u@h');
  m.tell('irc.test', 'Bob', null);
  m.tell('irc.test', 'carol', null); // nobody watches carol
  assert.deepEqual(ann.got, [':irc.test 730 ann BOB!u@h\r\n', ':irc.test 731 ann Bob\r\n']);
  assert.deepEqual(dan.got, [':irc.test 730 dan BOB!u@h\r\n', ':irc.test 731 dan Bob\r\n']);
});
