// Property tests (fast-check) for case folding and ISUPPORT: fold under each case mapping, and ISUPPORT tokens through 005 lines and back.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  fold,
  isParseError,
  isupportLines,
  parse,
  readIsupport,
  serialize,
  type CaseMapping,
  type IsupportTokens,
} from '../../src/protocol/index.js';
import { interestingChar, noNulCrLf, RUNS, SEED } from './property-kit.js';

describe('fold', () => {
  const mapping = fc.constantFrom<CaseMapping>('ascii', 'rfc1459', 'strict-rfc1459');
  const foldText = fc.string({
    unit: fc.oneof(
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
      fc.constantFrom('[', ']', '\\', '^', '{', '}', '|', '~', 'É', 'é', 'ß', 'İ'),
    ),
    maxLength: 30,
  });
  /** `s` with the ASCII letters at the chosen positions flipped in case. */
  const withCaseFlips = foldText.chain((s) =>
    fc
      .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
      .map((flips) => [s, flipAsciiCase(s, flips)] as const),
  );

  test('is idempotent', () => {
    fc.assert(
      fc.property(foldText, mapping, (s, cm) => {
        const once = fold(s, cm);
        assert.equal(fold(once, cm), once);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('fold(a) === fold(b) when a and b differ only in ASCII case', () => {
    fc.assert(
      fc.property(withCaseFlips, mapping, ([a, b], cm) => {
        assert.equal(fold(a, cm), fold(b, cm));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('keeps the length and leaves no A-Z behind', () => {
    fc.assert(
      fc.property(foldText, mapping, (s, cm) => {
        const f = fold(s, cm);
        assert.equal(f.length, s.length);
        assert.doesNotMatch(f, /[A-Z]/);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('rfc1459 also equates []\\^ with {}|~, strict-rfc1459 only []\\ with {}|', () => {
    const swap = (s: string, from: string, to: string): string =>
      [...s].map((c) => (from.includes(c) ? to[from.indexOf(c)] : c)).join('');
    fc.assert(
      fc.property(foldText, (s) => {
        assert.equal(fold(swap(s, '[]\\^', '{}|~'), 'rfc1459'), fold(s, 'rfc1459'));
        assert.equal(fold(swap(s, '[]\\', '{}|'), 'strict-rfc1459'), fold(s, 'strict-rfc1459'));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

function flipAsciiCase(s: string, flips: readonly boolean[]): string {
  let out = '';
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (!flips[k]) out += c;
    else if (c >= 'a' && c <= 'z') out += c.toUpperCase();
    else if (c >= 'A' && c <= 'Z') out += c.toLowerCase();
    else out += c;
  }
  return out;
}

describe('isupport', () => {
  const isupportKey = fc.stringMatching(/^[A-Z][A-Z0-9]{0,11}$/);
  const isupportValue = fc.oneof(
    fc.constant<true>(true),
    fc.integer(),
    fc.string({ unit: interestingChar, maxLength: 20 }).filter(noNulCrLf),
    fc.constantFrom('\\x20', '\\x5C', 'a=b', 'a b', '\\', '='),
  );
  const tokensArb: fc.Arbitrary<IsupportTokens> = fc.uniqueArray(
    fc.tuple(isupportKey, isupportValue),
    { selector: ([k]) => k, maxLength: 40 },
  );

  function expected(tokens: IsupportTokens): [string, string][] {
    return tokens.map(([k, v]) => [k, v === true ? '' : String(v)]);
  }

  test('readIsupport(isupportLines(tokens)) gives back every token', () => {
    fc.assert(
      fc.property(tokensArb, (tokens) => {
        const into = new Map<string, string>();
        for (const line of isupportLines(tokens)) readIsupport(line, into);
        assert.deepEqual([...into.entries()], expected(tokens));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('lines hold at most 13 tokens, in order, each a valid middle param', () => {
    fc.assert(
      fc.property(tokensArb, (tokens) => {
        const lines = isupportLines(tokens);
        assert.equal(lines.length, Math.ceil(tokens.length / 13));
        for (const line of lines) {
          assert.ok(line.length >= 1 && line.length <= 13);
          for (const word of line) {
            assert.ok(word.length > 0 && !word.includes(' ') && !word.startsWith(':'));
          }
        }
        assert.deepEqual(
          lines.flat().map((w) => w.split('=')[0]),
          tokens.map(([k]) => k),
        );
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('round trips through a serialized and parsed 005 reply', () => {
    fc.assert(
      fc.property(tokensArb, (tokens) => {
        const into = new Map<string, string>();
        for (const words of isupportLines(tokens)) {
          const line = serialize({
            tags: null,
            source: 'irc.example',
            command: '005',
            params: ['nick', ...words, 'are supported by this server'],
          });
          const r = parse(line);
          assert.ok(!isParseError(r));
          readIsupport(r.params.slice(1, -1), into);
        }
        assert.deepEqual([...into.entries()], expected(tokens));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('a -KEY token removes KEY', () => {
    const into = new Map<string, string>();
    readIsupport(['CHANTYPES=#', 'SAFELIST', 'NICKLEN=30'], into);
    readIsupport(['-SAFELIST', '-MISSING'], into);
    assert.deepEqual(
      [...into.entries()],
      [
        ['CHANTYPES', '#'],
        ['NICKLEN', '30'],
      ],
    );
  });
});
