// RPL_ISUPPORT tokens: split into lines, values escaped, and read back (with -KEY removing a token).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isupportLines,
  readIsupport,
  unescapeIsupportValue,
  type IsupportTokens,
} from '../../src/protocol/index.js';

test('13 tokens to a line, in order', () => {
  const tokens: IsupportTokens = Array.from({ length: 27 }, (_, k) => [`T${k}`, k]);
  const lines = isupportLines(tokens);
  assert.deepEqual(
    lines.map((l) => l.length),
    [13, 13, 1],
  );
  assert.deepEqual(
    lines.flat(),
    tokens.map(([k, v]) => `${k}=${v}`),
  );
});

test('a bare token has no `=`; space, backslash and `=` in a value are \\xHH in capitals', () => {
  const lines = isupportLines([
    ['SAFELIST', true],
    ['NETWORK', 'a b\\c=d'],
  ]);
  assert.deepEqual(lines, [['SAFELIST', 'NETWORK=a\\x20b\\x5Cc\\x3Dd']]);
  assert.equal(unescapeIsupportValue('a\\x20b\\x5cc\\x3Dd'), 'a b\\c=d');
});

test('readIsupport reads KEY=VALUE and bare KEY, and -KEY takes one away', () => {
  const into = new Map<string, string>();
  readIsupport(['NETWORK=a\\x20b', 'SAFELIST', 'CHANTYPES=#'], into);
  readIsupport(['-SAFELIST', 'CHANTYPES=#&'], into);
  assert.deepEqual(
    [...into],
    [
      ['NETWORK', 'a b'],
      ['CHANTYPES', '#&'],
    ],
  );
});
