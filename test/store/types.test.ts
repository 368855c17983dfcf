// The helpers of types.ts: a private conversation's key (either order gives one key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conversationKey } from '../../src/store/types.js';

test('conversationKey: the two names in code-unit order, whoever sends', () => {
  assert.equal(conversationKey('alice', 'bob'), 'alice bob');
  assert.equal(conversationKey('bob', 'alice'), 'alice bob');
  // Not the locale's order: '{' (0x7b) comes after 'z' (0x7a), '[' (0x5b) before 'a'.
  assert.equal(conversationKey('{x}', 'z'), 'z {x}');
  assert.equal(conversationKey('z', '{x}'), 'z {x}');
  assert.equal(conversationKey('a', '[a]'), '[a] a');
  // An account's history identity (`a:` prefix, server/history.ts) sorts like any other name.
  assert.equal(conversationKey('bob', 'a:alice'), 'a:alice bob');
  assert.equal(conversationKey('bob', 'bob'), 'bob bob');
});
