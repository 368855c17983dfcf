// capabilities.ts: what a server offers with and without a store, the values CAP LS 302 shows, lookups by name, and the sts policy text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAPBIT, capByName, capNames, offeredCaps, stsCap } from '../../src/server/capabilities.js';

const names = (hasStore: boolean): string[] => offeredCaps(hasStore, false).map((c) => c.name);
const STORE_ONLY = [
  'account-notify',
  'account-tag',
  'draft/account-registration',
  'draft/chathistory',
  'draft/message-redaction',
  'draft/read-marker',
  'extended-join',
  'sasl',
];

test('without a store, nothing that needs one is offered; with one, everything', () => {
  const all = names(true);
  const without = names(false);
  for (const n of STORE_ONLY) {
    assert.ok(all.includes(n), n);
    assert.ok(!without.includes(n), n);
    assert.equal(capByName(n, false), undefined, n);
    assert.equal(capByName(n, true)?.name, n);
  }
  assert.deepEqual(
    all.filter((n) => !STORE_ONLY.includes(n)),
    without,
    'the rest is offered either way, in the same order',
  );
  assert.equal(capByName('message-tags', false)?.bit, CAPBIT.MESSAGE_TAGS);
  assert.equal(capByName('no-such-cap', true), undefined);
});

test('the values clients read in CAP LS 302', () => {
  const value = (name: string, beforeConnect = false) =>
    offeredCaps(true, beforeConnect).find((c) => c.name === name)?.value;
  assert.equal(value('draft/multiline'), 'max-bytes=4096,max-lines=100');
  assert.equal(value('draft/account-registration'), 'custom-account-name');
  assert.equal(value('draft/account-registration', true), 'before-connect,custom-account-name');
  assert.match(value('sasl') ?? '', /^[A-Z0-9-]+(,[A-Z0-9-]+)*$/);
  assert.ok(value('sasl')?.split(',').includes('PLAIN'));
});

test('capability names from bits, in CAP LS order', () => {
  assert.deepEqual(capNames(CAPBIT.SERVER_TIME | CAPBIT.BATCH | CAPBIT.MESSAGE_TAGS), [
    'batch',
    'message-tags',
    'server-time',
  ]);
  assert.deepEqual(capNames(0), []);
});

test('the sts policy: the port to upgrade to in plaintext, the duration over TLS, none without both', () => {
  assert.equal(stsCap(6697, 86400, false), 'sts=port=6697,duration=86400');
  assert.equal(stsCap(6697, 86400, true), 'sts=duration=86400');
  assert.equal(stsCap(6697, 0, true), 'sts=duration=0');
  assert.equal(stsCap(null, 86400, false), null);
  assert.equal(stsCap(6697, null, false), null);
  assert.equal(stsCap(null, null, true), null);
});
