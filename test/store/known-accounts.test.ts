// knownAccounts (the pipe store's memory of which accounts exist): names that are no account are answered without the store, and nothing the store has is hidden.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { knownAccounts } from '../../src/store/known-accounts.js';
import { MemoryStore } from '../../src/store/memory.js';
import { openPipeStore } from '../../src/store/pipe.js';
import type { AccountRecord, AccountStore } from '../../src/store/types.js';
import { ALICE, makeTemp, rmTemp } from './kit.js';

const BOB: AccountRecord = { ...ALICE, name: 'Bob', key: 'bob' };

/** A real memory store's accounts, with the keys each get() was asked for. */
function counted(): { inner: AccountStore; asked: string[] } {
  const inner = new MemoryStore().accounts;
  const asked: string[] = [];
  const get = inner.get.bind(inner);
  inner.get = (key) => {
    asked.push(key);
    return get(key);
  };
  return { inner, asked };
}

test('knownAccounts: an unknown name is null without asking; a known one is asked', async () => {
  const { inner, asked } = counted();
  assert.equal(await inner.create(ALICE), true);
  asked.length = 0;
  const accounts = knownAccounts(inner, ['alice']);
  assert.equal(await accounts.get('nobody'), null);
  assert.deepEqual(asked, []);
  assert.deepEqual(await accounts.get('alice'), ALICE);
  assert.deepEqual(asked, ['alice']);
});

test('knownAccounts: a create, even one not yet answered, makes its key asked; a refused one leaves it unknown', async () => {
  const { inner, asked } = counted();
  const accounts = knownAccounts(inner, []);
  const made = accounts.create(BOB);
  const meanwhile = accounts.get('bob'); // before the create is answered
  assert.deepEqual(asked, ['bob']);
  assert.equal(await made, true);
  assert.deepEqual(await meanwhile, BOB);
  assert.deepEqual(await accounts.get('bob'), BOB);
  // Taken already: still known (it exists).
  assert.equal(await accounts.create(BOB), false);
  assert.deepEqual(await accounts.get('bob'), BOB);
  // A create that fails leaves no trace once answered.
  inner.create = () => Promise.reject(new Error('disk full'));
  await assert.rejects(accounts.create({ ...BOB, key: 'carol' }), /disk full/);
  asked.length = 0;
  assert.equal(await accounts.get('carol'), null);
  assert.deepEqual(asked, []);
});

test('knownAccounts: update() of a new key makes it known; the other methods are those of the store', async () => {
  const { inner } = counted();
  const accounts = knownAccounts(inner, []);
  await accounts.update({ ...BOB, key: 'dave', name: 'Dave' });
  assert.equal((await accounts.get('dave'))?.name, 'Dave');
  accounts.setReadMarker('dave', '#a', 5);
  await new Promise((r) => setImmediate(r)); // the memory store commits on the next turn
  assert.equal(await accounts.readMarker('dave', '#a'), 5);
});

test('pipe: accounts in the file are known after a reopen; lookups of others never reach the writer', async () => {
  const dir = makeTemp();
  const file = path.join(dir, 'parley.db');
  try {
    const first = await openPipeStore(file);
    assert.equal(await first.accounts.create(ALICE), true);
    await first.close();
    const again = await openPipeStore(file);
    try {
      assert.deepEqual(await again.accounts.get('alice'), ALICE);
      // A stopped writer answers nothing: an unknown name is still answered.
      const writer = (again as unknown as { child: { pid: number } }).child;
      process.kill(writer.pid, 'SIGSTOP');
      try {
        assert.equal(await again.accounts.get('nobody'), null);
      } finally {
        process.kill(writer.pid, 'SIGCONT');
      }
      // Created through this store, found at once.
      const made = again.accounts.create(BOB);
      assert.deepEqual(await again.accounts.get('bob'), BOB);
      assert.equal(await made, true);
    } finally {
      await again.close();
    }
  } finally {
    rmTemp(dir);
  }
});
