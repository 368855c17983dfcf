// admission.ts: the total and per-address limits at their edges, counts per address, and cloaks that are stable, secret-keyed and kept in the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admission } from '../../src/server/admission.js';
import { DEFAULTS, type ServerConfig } from '../../src/server/config.js';
import { MemoryStore } from '../../src/store/memory.js';

const config: ServerConfig = { ...DEFAULTS, maxClients: 3, maxPerIp: 2, network: 'testnet' };

test('the server and each address may fill their limit, not pass it', () => {
  const a = new Admission();
  assert.equal(a.refusal('10.0.0.1', 0, config), null);
  a.opened('10.0.0.1', config);
  assert.equal(a.refusal('10.0.0.1', 1, config), null);
  a.opened('10.0.0.1', config);
  assert.equal(a.refusal('10.0.0.1', 2, config), 'too many connections from your address');
  assert.equal(a.refusal('10.0.0.2', 2, config), null, 'other addresses are counted apart');
  assert.equal(a.refusal('10.0.0.2', 3, config), 'server full');
  a.closed('10.0.0.1');
  assert.equal(a.refusal('10.0.0.1', 1, config), null, 'a closed connection frees its place');
  a.opened('10.0.0.1', config);
  assert.equal(
    a.refusal('10.0.0.1', 2, config),
    'too many connections from your address',
    'one closed of two: the other still counts',
  );
  a.closed('10.0.0.1');
  a.closed('10.0.0.1');
  a.closed('10.0.0.1'); // one more than opened: no negative count
  a.opened('10.0.0.1', config);
  a.opened('10.0.0.1', config);
  assert.equal(a.refusal('10.0.0.1', 2, config), 'too many connections from your address');
});

test('an address wears one cloak while connected, the same after it returns', () => {
  const a = new Admission();
  const c1 = a.opened('10.0.0.1', config);
  assert.match(c1, /^x-[0-9a-f]{8}\.testnet$/);
  assert.equal(a.opened('10.0.0.1', config), c1);
  assert.notEqual(a.opened('10.0.0.2', config), c1);
  a.closed('10.0.0.1');
  a.closed('10.0.0.1');
  assert.equal(a.opened('10.0.0.1', config), c1);
  assert.notEqual(new Admission().opened('10.0.0.1', config), c1, 'keyed by a secret of its own');
});

test('the cloak secret is kept in the store, so cloaks outlive a restart', async () => {
  const store = new MemoryStore();
  const first = new Admission();
  await first.loadSecret(store); // none there yet: ours is kept
  store.flush(); // committed, as the next turn would
  const cloak = first.opened('192.0.2.7', config);
  const again = new Admission();
  await again.loadSecret(store);
  assert.equal(again.opened('192.0.2.7', config), cloak);
  const other = new Admission();
  await other.shareSecret(async () => (await store.getMeta('cloak-secret'))!);
  assert.equal(other.opened('192.0.2.7', config), cloak, 'a cluster node takes the network secret');
  let offered = '';
  const keeps = new Admission();
  await keeps.shareSecret(async (mine) => (offered = mine));
  assert.equal(Buffer.from(offered, 'base64').length, 32);
  assert.notEqual(keeps.opened('192.0.2.7', config), cloak);
});
