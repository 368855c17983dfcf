// store-alarm.ts: a failing store is told to users once per episode and to the log at most once a minute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_EPISODE_MS, STORE_FAILED_NOTICE, StoreAlarm } from '../../src/server/store-alarm.js';
import type { Logger } from '../../src/server/diagnostics.js';

function alarm() {
  const clock = { t: 5_000_000 };
  const logged: object[] = [];
  const told: string[] = [];
  const log: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (fields, msg) => logged.push({ ...fields, msg }),
  };
  const a = new StoreAlarm(
    log,
    () => clock.t,
    (text) => told.push(text),
  );
  return { a, clock, logged, told };
}

test('the first failure tells users and the log, with the error and the store', () => {
  const { a, logged, told } = alarm();
  a.failed(new Error('SQLITE_FULL: database or disk is full'), '/var/lib/parley.db');
  assert.deepEqual(told, [STORE_FAILED_NOTICE]);
  assert.deepEqual(logged, [
    {
      err: 'SQLITE_FULL: database or disk is full',
      db: '/var/lib/parley.db',
      msg: 'history store write failed',
    },
  ]);
});

test('failures less than a minute apart are one episode, however long it lasts', () => {
  const { a, clock, logged, told } = alarm();
  for (let i = 0; i < 10; i++) {
    a.failed(new Error('full'), undefined);
    clock.t += STORE_EPISODE_MS - 1;
  }
  assert.equal(told.length, 1, 'users are told once');
  // The log repeats once a minute while it lasts: at 0, then at the first failure >= 60 s later.
  assert.equal(logged.length, 5);
});

test('a minute without failures ends the episode: the next failure is news again', () => {
  const { a, clock, logged, told } = alarm();
  a.failed(new Error('full'), undefined);
  clock.t += STORE_EPISODE_MS;
  a.failed(new Error('full'), undefined);
  assert.equal(told.length, 2);
  assert.equal(logged.length, 2);
  clock.t += 1;
  a.failed(new Error('full'), undefined);
  assert.equal(told.length, 2);
  assert.equal(logged.length, 2);
});
