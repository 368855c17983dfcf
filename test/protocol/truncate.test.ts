// truncateUtf8: the longest prefix within a byte budget that ends on a whole character.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { truncateUtf8 } from '../../src/protocol/index.js';

test('cuts at the budget and never inside a character', () => {
  const cases: readonly [text: string, maxBytes: number, expected: string][] = [
    ['', 0, ''],
    ['abc', 0, ''],
    ['abc', 3, 'abc'],
    ['abcd', 3, 'abc'],
    ['abcdefghij', 9, 'abcdefghi'],
    // the first code point of each UTF-8 length and the last of the one before
    ['\x7f\x7f', 1, '\x7f'],
    ['\u0080\u0080', 3, '\u0080'],
    ['\u0080\u0080', 4, '\u0080\u0080'],
    ['\u07ff\u07ff', 3, '\u07ff'],
    ['\u0800\u0800', 5, '\u0800'],
    ['\u0800\u0800', 6, '\u0800\u0800'],
    ['\uffff\uffff', 5, '\uffff'],
    ['\u{10000}\u{10000}', 7, '\u{10000}'],
    ['\u{10000}\u{10000}', 8, '\u{10000}\u{10000}'],
    // a character that does not fit is left out whole, never half of it
    ['aé', 2, 'a'],
    ['a€', 3, 'a'],
    ['a😀', 4, 'a'],
    ['a😀b', 5, 'a😀'],
  ];
  for (const [text, maxBytes, expected] of cases) {
    assert.equal(truncateUtf8(text, maxBytes), expected, `${JSON.stringify(text)} in ${maxBytes}`);
  }
});

test('the result is the longest prefix of whole characters that fits', () => {
  const edges = [0x41, 0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x1f600, 0x10ffff];
  const cp = fc.oneof(
    fc.constantFrom(...edges),
    fc.integer({ min: 1, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff),
  );
  const text = fc.array(cp, { maxLength: 12 }).map((cs) => String.fromCodePoint(...cs));
  fc.assert(
    fc.property(text, fc.integer({ min: 0, max: 40 }), (s, max) => {
      const chars = [...s];
      let fits = 0;
      while (fits < chars.length && Buffer.byteLength(chars.slice(0, fits + 1).join('')) <= max) {
        fits++;
      }
      assert.equal(truncateUtf8(s, max), chars.slice(0, fits).join(''));
    }),
    { numRuns: 1000 },
  );
});
