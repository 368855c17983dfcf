// passwords.ts: the one hash format, what counts as one, and both ways of checking a password against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import {
  hashPassword,
  hashPasswordAsync,
  isPasswordHash,
  verifyPassword,
  verifyPasswordAsync,
} from '../../src/server/passwords.js';

const SALT = 'c2FsdHNhbHRzYWx0c2FsdA==';
const KEY = 'a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=';
const hash = (n: number | string, r: number | string, p: number | string) =>
  `scrypt$${n}$${r}$${p}$${SALT}$${KEY}`;

test('a hash is made in the one format and checks its own password only', async () => {
  const h = hashPassword('hunter2');
  assert.match(h, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
  assert.equal(isPasswordHash(h), true);
  assert.equal(verifyPassword('hunter2', h), true);
  assert.equal(verifyPassword('hunter3', h), false);
  assert.notEqual(hashPassword('hunter2'), h, 'a fresh salt each time');
  const a = await hashPasswordAsync('correct horse');
  assert.equal(isPasswordHash(a), true);
  assert.equal(await verifyPasswordAsync('correct horse', a), true);
  assert.equal(await verifyPasswordAsync('correct horse!', a), false);
  assert.equal(verifyPassword('correct horse', a), true, 'both ways agree');
  assert.equal(await verifyPasswordAsync('hunter2', h), true);
});

test('the cost parameters a hash may carry are bounded', () => {
  assert.equal(isPasswordHash(hash(2, 1, 1)), true, 'the smallest N');
  assert.equal(isPasswordHash(hash(1 << 20, 32, 16)), true, 'every bound at its edge');
  assert.equal(isPasswordHash(hash(1, 8, 1)), false, 'N below 2');
  assert.equal(isPasswordHash(hash(0, 8, 1)), false);
  assert.equal(isPasswordHash(hash(3000, 8, 1)), false, 'N not a power of two');
  assert.equal(isPasswordHash(hash(1 << 21, 8, 1)), false, 'N past 2^20 (memory)');
  assert.equal(isPasswordHash(hash(16384, 33, 1)), false, 'r past 32');
  assert.equal(isPasswordHash(hash(16384, 8, 17)), false, 'p past 16');
});

test('anything else is not a hash, and never verifies', async () => {
  for (const text of [
    '',
    'hunter2',
    hash('x', 8, 1),
    `scrypt$16384$8$1$${SALT}`,
    `bcrypt$16384$8$1$${SALT}$${KEY}`,
    `${hash(16384, 8, 1)} `,
    ` ${hash(16384, 8, 1)}`,
    `scrypt$16384$8$1$${SALT}$not*base64`,
  ]) {
    assert.equal(isPasswordHash(text), false, text);
    assert.equal(verifyPassword('hunter2', text), false, text);
    assert.equal(await verifyPasswordAsync('hunter2', text), false, text);
  }
});

test('a hash made with other cost parameters is checked with its own', async () => {
  const salt = Buffer.from('0123456789abcdef');
  const key = scryptSync('pw', salt, 32, { N: 1024, r: 4, p: 2 });
  const h = `scrypt$1024$4$2$${salt.toString('base64')}$${key.toString('base64')}`;
  assert.equal(isPasswordHash(h), true);
  assert.equal(verifyPassword('pw', h), true);
  assert.equal(await verifyPasswordAsync('pw', h), true);
  assert.equal(verifyPassword('pw!', h), false);
});
