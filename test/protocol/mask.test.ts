// Table-driven tests for hostmask wildcards (matchMask) and completing partial ban masks (normalizeMask).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { matchMask, normalizeMask, type CaseMapping } from '../../src/protocol/index.js';

describe('matchMask', () => {
  const cases: readonly [mask: string, subject: string, ok: boolean, mapping?: CaseMapping][] = [
    // literal text
    ['nick!user@host', 'nick!user@host', true],
    ['nick!user@host', 'nick!user@hosx', false],
    ['abc', 'xbc', false],
    ['abc', 'ab', false],
    ['ab', 'abc', false],
    ['', '', true],
    ['', 'a', false],
    ['a', '', false],
    // ? is exactly one character
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'abbc', false],
    ['?', '', false],
    ['??', 'ab', true],
    // * is any run, the empty one included
    ['*', '', true],
    ['*', 'anything', true],
    ['a*', 'a', true],
    ['a*c', 'ac', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abbbd', false],
    ['*c', 'abc', true],
    ['*c', 'abd', false],
    ['abc**', 'abc', true],
    ['abc*?', 'abc', false],
    ['*?', '', false],
    // the first place * could end is not the right one: backtrack
    ['a*bc', 'abxbc', true],
    ['*b*c', 'abxbc', true],
    ['a*b', 'acbd', false],
    ['*!*@*.example', 'nick!u@a.b.example', true],
    ['*!*@*.example', 'nick!u@example', false],
    // case-insensitive, with the mapping given
    ['NICK!*@*', 'nick!u@h', true],
    ['nick!*@*', 'NICK!U@H', true],
    ['[a]', '{A}', true, 'rfc1459'],
    ['[a]', '{a}', false, 'ascii'],
  ];
  for (const [mask, subject, ok, mapping] of cases) {
    test(`${JSON.stringify(mask)} ~ ${JSON.stringify(subject)} ${mapping ?? ''} -> ${ok}`, () => {
      assert.equal(matchMask(mask, subject, mapping), ok);
    });
  }
});

describe('normalizeMask', () => {
  const cases: readonly [given: string, expected: string][] = [
    ['bob', 'bob!*@*'],
    ['bob!u', 'bob!u@*'],
    ['*@host', '*!*@host'],
    ['bob@host', '*!bob@host'],
    ['bob!u@host', 'bob!u@host'],
    ['*!*@*', '*!*@*'],
  ];
  for (const [given, expected] of cases) {
    test(`${JSON.stringify(given)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(normalizeMask(given), expected);
    });
  }
});
