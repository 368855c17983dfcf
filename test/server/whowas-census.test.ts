// WHOWAS history's bounds (nicks, entries per nick, which one is forgotten) and the LUSERS census counts, at their exact edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Census } from '../../src/server/census.js';
import type { User } from '../../src/server/user.js';
import { WHOWAS_NICKS, WHOWAS_PER_NICK, WhowasHistory } from '../../src/server/whowas.js';

function who(nick: string, realname = `${nick} real`): User {
  return {
    nick,
    folded: nick.toLowerCase(),
    username: `u-${nick}`,
    host: `${nick}.example`,
    realname,
  } as unknown as User;
}

test('WHOWAS: newest first, case ignored, count limits the answer (0 or less: all kept)', () => {
  const h = new WhowasHistory();
  h.record(who('Ann', 'first'), 1000);
  h.record(who('ann', 'second'), 2000);
  h.record(who('ANN', 'third'), 3000);
  assert.deepEqual(
    h.lookup('aNN', 0).map((e) => [e.nick, e.realname, e.at]),
    [
      ['ANN', 'third', 3000],
      ['ann', 'second', 2000],
      ['Ann', 'first', 1000],
    ],
  );
  assert.deepEqual(h.lookup('ann', -1).length, 3);
  assert.deepEqual(
    h.lookup('ann', 2).map((e) => e.realname),
    ['third', 'second'],
  );
  assert.deepEqual(h.lookup('ann', 1)[0], {
    nick: 'ANN',
    username: 'u-ANN',
    host: 'ANN.example',
    realname: 'third',
    at: 3000,
  });
  assert.deepEqual(h.lookup('nobody', 5), []);
});

test('WHOWAS: at most WHOWAS_PER_NICK entries per nick, the oldest dropped first', () => {
  const h = new WhowasHistory();
  for (let k = 0; k < WHOWAS_PER_NICK + 2; k++) h.record(who('bob', `r${k}`), k);
  const kept = h.lookup('bob', 0);
  assert.equal(kept.length, WHOWAS_PER_NICK);
  assert.equal(kept[0].realname, `r${WHOWAS_PER_NICK + 1}`);
  assert.equal(kept.at(-1)!.realname, 'r2');
});

test('WHOWAS: at most WHOWAS_NICKS nicks; the one given up longest ago is forgotten', () => {
  const h = new WhowasHistory();
  for (let k = 0; k < WHOWAS_NICKS; k++) h.record(who(`n${k}`), k);
  assert.equal(h.lookup('n0', 0).length, 1, 'exactly at the cap: all kept');
  // n0 gives its nick up again: now the most recent, so n1 is the oldest.
  h.record(who('n0'), WHOWAS_NICKS);
  h.record(who('extra'), WHOWAS_NICKS + 1);
  assert.equal(h.lookup('n1', 0).length, 0, 'the oldest forgotten');
  assert.equal(h.lookup('n0', 0).length, 2, 'refreshed, kept with both entries');
  assert.equal(h.lookup('n2', 0).length, 1);
  assert.equal(h.lookup('extra', 0).length, 1);
});

test('census: unregistered connections here and elsewhere, each change told', () => {
  const c = new Census();
  let told = 0;
  c.unknownChanged = () => told++;
  c.connectionOpened();
  c.connectionOpened();
  c.connectionOpened();
  assert.equal(c.unregistered, 3);
  assert.equal(told, 3);
  c.registered();
  assert.equal(c.unregistered, 2);
  c.connectionClosed(true); // a registered user leaving: not among the unregistered
  assert.equal(c.unregistered, 2);
  assert.equal(told, 4);
  c.connectionClosed(false);
  assert.equal(c.unregistered, 1);
  assert.equal(told, 5);
  c.unknownElsewhere.set('node-b', 4);
  c.unknownElsewhere.set('node-c', 2);
  assert.equal(c.networkUnregistered, 7);
  assert.equal(c.unregistered, 1, 'this server only');
});

test('census: the peak only grows; invisible and operators follow the modes', () => {
  const c = new Census();
  c.usersNow(5);
  c.usersNow(3);
  assert.equal(c.peakUsers, 5);
  c.usersNow(6);
  assert.equal(c.peakUsers, 6);
  const plain = { modes: '', isOper: false } as unknown as User;
  const inv = { modes: 'i', isOper: false } as unknown as User;
  const oper = { modes: 'io', isOper: true } as unknown as User;
  for (const u of [plain, inv, oper]) c.countModes(u, 1);
  assert.equal(c.invisibleCount, 2);
  assert.equal(c.operCount, 1);
  c.countModes(oper, -1);
  assert.equal(c.invisibleCount, 1);
  assert.equal(c.operCount, 0);
});
