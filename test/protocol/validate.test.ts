// Table-driven tests for nickname/channel validity and case mapping.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CHANTYPES,
  SERVER_CASEMAPPING,
  fold,
  isChannelName,
  isValidChannel,
  isValidNick,
  parseCaseMapping,
  type CaseMapping,
} from '../../src/protocol/index.js';

describe('isValidNick', () => {
  const cases: readonly [nick: string, maxLen: number, ok: boolean][] = [
    ['alice', 30, true],
    ['A', 30, true],
    ['z', 1, true],
    ['Alice_2', 30, true],
    ['a-b', 30, true],
    ['a1', 30, true],
    // the edges of the letter and digit ranges
    ['Zed', 30, true],
    ['a0', 30, true],
    // every RFC 2812 special is allowed, also as the first character
    ['[bot]', 30, true],
    ['{x}', 30, true],
    ['\\o/', 30, false], // '/' is not special
    ['\\o', 30, true],
    ['`x', 30, true],
    ['_x', 30, true],
    ['^x', 30, true],
    ['|x|', 30, true],
    ['a[]\\`_^{|}-9', 30, true],
    // length
    ['', 30, false],
    ['abcde', 5, true],
    ['abcdef', 5, false],
    ['a', 0, false],
    // first character
    ['1abc', 30, false],
    ['-abc', 30, false],
    ['9', 30, false],
    // forbidden characters
    ['a b', 30, false],
    ['a,b', 30, false],
    ['a:b', 30, false],
    ['a!b', 30, false],
    ['a@b', 30, false],
    ['a.b', 30, false],
    ['#chan', 30, false],
    ['&x', 30, false],
    ['a*', 30, false],
    ['a?', 30, false],
    ['a~', 30, false],
    ['a\tb', 30, false],
    ['a\0', 30, false],
    ['a\r', 30, false],
    ['a\n', 30, false],
    ['ñick', 30, false],
    ['nick🌍', 30, false],
  ];
  for (const [nick, maxLen, ok] of cases) {
    test(`${JSON.stringify(nick)} (max ${maxLen}) -> ${ok}`, () => {
      assert.equal(isValidNick(nick, maxLen), ok);
    });
  }
});

describe('isChannelName', () => {
  const cases: readonly [name: string, chantypes: string | undefined, ok: boolean][] = [
    ['#a', undefined, true],
    ['#', undefined, true],
    ['', undefined, false],
    ['&a', undefined, false],
    ['&a', '#&', true],
    ['a', undefined, false],
  ];
  for (const [name, chantypes, ok] of cases) {
    test(`${JSON.stringify(name)} chantypes=${JSON.stringify(chantypes)} -> ${ok}`, () => {
      assert.equal(isChannelName(name, chantypes), ok);
    });
  }
  test('CHANTYPES is #', () => {
    assert.equal(CHANTYPES, '#');
  });
});

describe('isValidChannel', () => {
  const cases: readonly [
    name: string,
    maxLen: number,
    chantypes: string | undefined,
    ok: boolean,
  ][] = [
    ['#a', 50, undefined, true],
    ['#parley', 50, undefined, true],
    ['#café', 50, undefined, true],
    ['#🌍', 50, undefined, true],
    ['#a.b-c_d[e]{f}!@*?', 50, undefined, true],
    ['##', 50, undefined, true],
    ['#a#b', 50, undefined, true],
    // length counts the prefix
    ['#', 50, undefined, false],
    ['', 50, undefined, false],
    ['#abcd', 5, undefined, true],
    ['#abcde', 5, undefined, false],
    // prefix
    ['a', 50, undefined, false],
    ['abc', 50, undefined, false],
    ['&abc', 50, undefined, false],
    ['&abc', 50, '#&', true],
    ['#abc', 50, '&', false],
    // forbidden characters
    ['#a b', 50, undefined, false],
    ['#a,b', 50, undefined, false],
    ['#a:b', 50, undefined, false],
    ['#a\0', 50, undefined, false],
    ['#a\x07', 50, undefined, false],
    ['#a\r', 50, undefined, false],
    ['#a\n', 50, undefined, false],
    ['# ', 50, undefined, false],
    ['#,', 50, undefined, false],
    // DEL and the C1 controls (U+007F..U+009F) could drive a terminal; U+00A0 is fine
    ['#a\x7f', 50, undefined, false],
    ['#a\u0085', 50, undefined, false],
    ['#a\u009f', 50, undefined, false],
    ['#a\u00a0', 50, undefined, true],
  ];
  for (const [name, maxLen, chantypes, ok] of cases) {
    test(`${JSON.stringify(name)} (max ${maxLen}, chantypes=${JSON.stringify(chantypes)}) -> ${ok}`, () => {
      assert.equal(isValidChannel(name, maxLen, chantypes), ok);
    });
  }
});

describe('fold', () => {
  const cases: readonly [input: string, mapping: CaseMapping, expected: string][] = [
    // ascii: only A-Z
    ['', 'ascii', ''],
    ['alice', 'ascii', 'alice'],
    ['Alice', 'ascii', 'alice'],
    ['ALICE', 'ascii', 'alice'],
    ['#PaRlEy', 'ascii', '#parley'],
    ['AZ@[', 'ascii', 'az@['],
    ['[]\\^', 'ascii', '[]\\^'],
    ['{}|~', 'ascii', '{}|~'],
    ['ÉCOLE', 'ascii', 'École'],
    ['Ω', 'ascii', 'Ω'],
    ['A1-_', 'ascii', 'a1-_'],
    // rfc1459: A-Z and [ ] \ ~ <-> { } | ^ (upper -> lower means [\]^ -> {|}~)
    ['Alice', 'rfc1459', 'alice'],
    ['[', 'rfc1459', '{'],
    [']', 'rfc1459', '}'],
    ['\\', 'rfc1459', '|'],
    ['^', 'rfc1459', '~'],
    ['{}|~', 'rfc1459', '{}|~'],
    ['Nick[AWAY]', 'rfc1459', 'nick{away}'],
    ['@', 'rfc1459', '@'],
    ['_', 'rfc1459', '_'],
    ['`', 'rfc1459', '`'],
    // strict-rfc1459: like rfc1459 but ^ and ~ stay apart
    ['Alice', 'strict-rfc1459', 'alice'],
    ['[', 'strict-rfc1459', '{'],
    [']', 'strict-rfc1459', '}'],
    ['\\', 'strict-rfc1459', '|'],
    ['^', 'strict-rfc1459', '^'],
    ['~', 'strict-rfc1459', '~'],
    ['Nick[^]', 'strict-rfc1459', 'nick{^}'],
  ];
  for (const [input, mapping, expected] of cases) {
    test(`${mapping}: ${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(fold(input, mapping), expected);
    });
  }

  test('default mapping is the server one (ascii)', () => {
    assert.equal(SERVER_CASEMAPPING, 'ascii');
    assert.equal(fold('[A]'), '[a]');
  });

  test('returns the same string when nothing changes', () => {
    const s = 'already-lower';
    assert.equal(fold(s, 'rfc1459'), s);
  });
});

describe('parseCaseMapping', () => {
  const cases: readonly [token: string | undefined, expected: CaseMapping][] = [
    ['ascii', 'ascii'],
    ['rfc1459', 'rfc1459'],
    ['strict-rfc1459', 'strict-rfc1459'],
    // not advertised: RFC 1459 is the historical default
    [undefined, 'rfc1459'],
    ['', 'rfc1459'],
    // unknown or differently spelled tokens fall back to rfc1459
    ['ASCII', 'rfc1459'],
    ['rfc7613', 'rfc1459'],
    ['rfc3454', 'rfc1459'],
    ['unicode', 'rfc1459'],
  ];
  for (const [token, expected] of cases) {
    test(`${JSON.stringify(token)} -> ${expected}`, () => {
      assert.equal(parseCaseMapping(token), expected);
    });
  }
});
