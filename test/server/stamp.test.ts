// Stamper and orderStamp: msgids sort in the order they were handed out, within a millisecond and across clock steps; which lines go through a cluster's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLogged } from '../../src/server/replica.js';
import { orderStamp, parseServerTime, Stamper } from '../../src/server/stamp.js';

test('msgids sort as strings in issue order, past the precomputed sequence texts', () => {
  let now = 1_764_000_000_000;
  const stamper = new Stamper(() => now);
  const ids: string[] = [];
  for (let i = 0; i < 3000; i++) ids.push(stamper.next().msgid); // one millisecond, 3000 messages
  now += 1;
  ids.push(stamper.next().msgid);
  now -= 5; // the wall clock steps back: the last time is kept, the sequence goes on
  const back = stamper.next();
  ids.push(back.msgid);
  assert.equal(back.ms, now + 5);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every((id) => id.length === 13));
  assert.equal(ids[1295].slice(9), '00zz');
  assert.equal(ids[1296].slice(9), '0100');
});

test('server-time is the ISO form of the stamp time', () => {
  const stamper = new Stamper(() => Date.UTC(2026, 10, 26, 13, 30, 0, 7));
  assert.equal(stamper.next().time, '2026-11-26T13:30:00.007Z');
});

test('orderStamp: the same place in the order gives the same stamp, whatever was asked before', () => {
  const ms = Date.UTC(2026, 11, 2, 6, 0, 0, 5);
  const first = orderStamp(ms, 3);
  orderStamp(ms + 1, 0); // another millisecond between two asks of the same one
  assert.deepEqual(orderStamp(ms, 3), first);
  assert.equal(first.time, '2026-12-02T06:00:00.005Z');
  assert.ok(orderStamp(ms, 4).msgid > first.msgid);
  assert.ok(orderStamp(ms + 1, 0).msgid > orderStamp(ms, 1295).msgid);
});

test('isLogged: a message goes through the order when any target is a channel, status prefixes too', () => {
  const msg = (command: string, ...params: string[]) => ({
    tags: null,
    source: null,
    command,
    params,
  });
  for (const target of ['#a', 'bob,#a', '@#a', '+@#a', 'bob,+#a,carol']) {
    assert.equal(isLogged(msg('PRIVMSG', target, 'hi')), true, target);
  }
  for (const target of ['bob', 'bob,carol', '@bob', '', ',']) {
    assert.equal(isLogged(msg('PRIVMSG', target, 'hi')), false, target);
  }
  assert.equal(isLogged(msg('TAGMSG', '#a')), true);
  assert.equal(isLogged(msg('NOTICE')), false);
  assert.equal(isLogged(msg('JOIN', '#a')), true);
  assert.equal(isLogged(msg('WHOIS', '#a')), false);
});

test('parseServerTime: a whole ISO 8601 UTC time, nothing before or after it', () => {
  assert.equal(parseServerTime('2021-05-20T08:30:00.000Z'), Date.UTC(2021, 4, 20, 8, 30));
  assert.equal(parseServerTime('2021-05-20T08:30:00Z'), Date.UTC(2021, 4, 20, 8, 30));
  for (const bad of [
    'x2021-05-20T08:30:00.000Z',
    '2021-05-20T08:30:00.000Zx',
    '2021-05-20T08:30:00.000',
    '2021-02-30T08:30:00.000Z', // no such day: Date.parse would roll it over
    'yesterday',
    '',
  ]) {
    assert.equal(parseServerTime(bad), null, bad);
  }
});

test('a pinned stamp (a cluster command replayed): itself, then .1, .2...; the clock never goes back after', () => {
  let now = 1_764_000_000_000;
  const stamper = new Stamper(() => now);
  stamper.next();
  stamper.unpin(); // nothing pinned: nothing to do
  assert.equal(stamper.pinnedMs, null);
  const given = orderStamp(now + 50, 7);
  stamper.pin(given);
  assert.equal(stamper.pinnedMs, now + 50);
  assert.equal(stamper.tick(), now + 50);
  assert.deepEqual(stamper.last(), given);
  stamper.tick();
  assert.equal(stamper.last().msgid, given.msgid + '.1');
  assert.equal(stamper.next().msgid, given.msgid + '.2');
  assert.equal(stamper.last().time, given.time);
  stamper.unpin();
  assert.equal(stamper.pinnedMs, null);
  // The wall clock is still behind the pinned time: own stamps go on after it, not before.
  const after = stamper.next();
  assert.equal(after.ms, now + 50);
  assert.equal(after.time, given.time);
  assert.ok(after.msgid > given.msgid.slice(0, 9), 'sorts after the pinned one');
  assert.equal(after.msgid, given.msgid.slice(0, 9) + '0001');
  // A pinned stamp older than the clock leaves the clock alone.
  now += 1000;
  const mine = stamper.next();
  stamper.pin(orderStamp(now - 500, 0));
  stamper.tick();
  stamper.unpin();
  const next = stamper.next();
  assert.equal(next.ms, mine.ms);
  assert.equal(next.msgid, mine.msgid.slice(0, 9) + '0001', 'the sequence went on');
});

test('msgidBytes: the bytes of last().msgid across milliseconds, long sequences, a suffix and a pin', () => {
  let now = 1_764_000_000_000;
  const stamper = new Stamper(() => now);
  const same = (what: string) =>
    assert.equal(stamper.msgidBytes().toString('latin1'), stamper.last().msgid, what);
  for (let i = 0; i < 1400; i++) {
    stamper.tick();
    same(`message ${i} of one millisecond`); // past the 1296 precomputed sequence texts too
  }
  now += 1;
  stamper.tick();
  same('the next millisecond');
  now -= 3; // the clock steps back: the sequence goes on
  stamper.tick();
  same('after the clock stepped back');
  stamper.suffix = '-7';
  stamper.tick();
  same('with a node suffix');
  now += 10;
  stamper.tick();
  same('with a node suffix, a new millisecond');
  stamper.pin({ time: new Date(now - 1).toISOString(), ms: now - 1, msgid: 'pinned-id' });
  stamper.tick();
  same('pinned');
  stamper.tick();
  same('pinned, second tick');
  stamper.unpin();
  stamper.tick();
  same('unpinned');
});
