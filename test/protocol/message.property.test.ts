// Property tests (fast-check) for the protocol layer: serialize/parse round trip, parser totality,
// tag escaping, case folding and ISUPPORT.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  escapeTagValue,
  fold,
  isParseError,
  isupportLines,
  parse,
  readIsupport,
  serialize,
  unescapeTagValue,
  type CaseMapping,
  type IsupportTokens,
  type Message,
  type ParseErrorKind,
  type ParseResult,
} from '../../src/protocol/index.js';

// A short seeded run in `npm test`; PARLEY_FUZZ_RUNS and PARLEY_FUZZ_SEED for a long one (npm run fuzz).
const RUNS = Number(process.env.PARLEY_FUZZ_RUNS ?? 1000);
const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? 1459);

// --- arbitraries -------------------------------------------------------------------------------

/** One UTF-16 unit or code point, biased towards the characters the grammar cares about. */
const interestingChar = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      ' ',
      ':',
      ';',
      '=',
      '@',
      '\\',
      's',
      'r',
      'n',
      '\r',
      '\n',
      '\0',
      '\t',
      'a',
      'A',
      '1',
      '+',
      '/',
      'ß',
      'ı',
      'ſ',
    ),
  },
);

const anyText = fc.string({ unit: interestingChar, maxLength: 40 });
const noNul = (s: string): boolean => !s.includes('\0');
const noNulCrLf = (s: string): boolean => !/[\0\r\n]/.test(s);
const noSpaceNulCrLf = (s: string): boolean => !/[ \0\r\n]/.test(s);

const tagKey = fc.stringMatching(/^\+?[A-Za-z0-9][A-Za-z0-9./-]*$/);
const tagValue = anyText.filter(noNul);
const tags = fc.option(
  fc
    .uniqueArray(fc.tuple(tagKey, tagValue), { selector: ([k]) => k, minLength: 1, maxLength: 6 })
    .map((entries) => new Map(entries)),
  { nil: null },
);
const source = fc.option(
  anyText.filter((s) => s.length > 0 && noSpaceNulCrLf(s)),
  { nil: null },
);
const command = fc.oneof(fc.stringMatching(/^[A-Za-z]+$/), fc.stringMatching(/^[0-9]{3}$/));
const middle = anyText.filter((s) => s.length > 0 && !s.startsWith(':') && noSpaceNulCrLf(s));
const last = fc.option(anyText.filter(noNulCrLf), { nil: null });

const validMessage: fc.Arbitrary<Message> = fc
  .record({ tags, source, command, middles: fc.array(middle, { maxLength: 5 }), last })
  .map((r) => ({
    tags: r.tags,
    source: r.source,
    command: r.command,
    params: r.last === null ? r.middles : [...r.middles, r.last],
  }));

// --- helpers -----------------------------------------------------------------------------------

interface Plain {
  tags: [string, string][] | null;
  source: string | null;
  command: string;
  params: string[];
}

function plain(m: Message): Plain {
  return {
    tags: m.tags === null ? null : [...m.tags.entries()],
    source: m.source,
    command: m.command,
    params: m.params,
  };
}

const ERROR_KINDS: ReadonlySet<ParseErrorKind> = new Set<ParseErrorKind>([
  'EMPTY',
  'NO_COMMAND',
  'BAD_COMMAND',
  'BAD_TAGS',
  'NUL',
]);

const asciiUpper = (s: string): string => s.replace(/[a-z]/g, (c) => c.toUpperCase());

/** Every invariant a parse result must satisfy, whatever the input line was. */
function checkResult(line: string, r: ParseResult): void {
  assert.equal(typeof r, 'object');
  assert.notEqual(r, null);
  if (isParseError(r)) {
    assert.ok(ERROR_KINDS.has(r.error), `unknown error kind ${String(r.error)}`);
    // After the tags parsed, a bad or missing command keeps them (a 421 can then carry a label).
    const late = r.error === 'NO_COMMAND' || r.error === 'BAD_COMMAND';
    assert.deepEqual(Object.keys(r), late ? ['error', 'tags'] : ['error']);
    if (late && r.tags !== null) assert.equal(line.trimStart()[0], '@');
    return;
  }
  assert.match(r.command, /^(?:[A-Z]+|[0-9]{3})$/);
  // the command word comes from the line itself, up to ASCII case
  assert.ok(asciiUpper(line).includes(r.command), `command ${r.command} not in line`);
  assert.ok(Array.isArray(r.params));
  for (let k = 0; k < r.params.length; k++) {
    assert.equal(typeof r.params[k], 'string');
    if (k < r.params.length - 1) {
      assert.ok(r.params[k].length > 0 && !r.params[k].includes(' '), 'bad middle param');
      assert.ok(!r.params[k].startsWith(':'), 'middle param starts with colon');
    }
  }
  if (r.source !== null) assert.ok(!r.source.includes(' '));
  if (r.tags !== null) {
    assert.ok(r.tags instanceof Map);
    assert.ok(r.tags.size > 0, 'tags is an empty Map instead of null');
    for (const [k, v] of r.tags) {
      assert.ok(k.length > 0 && !/[ ;=]/.test(k), `bad tag key ${JSON.stringify(k)}`);
      assert.equal(typeof v, 'string');
    }
  }
  // a parsed message is in normal form: serializing and parsing again changes nothing
  const again = parse(serialize(r));
  assert.ok(!isParseError(again), `re-parse failed: ${JSON.stringify(serialize(r))}`);
  assert.deepEqual(plain(again), plain(r));
}

// --- properties --------------------------------------------------------------------------------

describe('message round trip', () => {
  test('parse(serialize(m)) equals m for every valid message', () => {
    fc.assert(
      fc.property(validMessage, (m) => {
        const line = serialize(m);
        assert.ok(!/[\0\r\n]/.test(line), 'serialized line contains NUL/CR/LF');
        const r = parse(line);
        assert.ok(
          !isParseError(r),
          `parse failed with ${JSON.stringify(r)} on ${JSON.stringify(line)}`,
        );
        assert.deepEqual(plain(r), plain({ ...m, command: m.command.toUpperCase() }));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('serialize(parse(serialize(m))) is serialize(m) once the command is upper-cased', () => {
    fc.assert(
      fc.property(validMessage, (m) => {
        const canonical = serialize({ ...m, command: m.command.toUpperCase() });
        const r = parse(canonical);
        assert.ok(!isParseError(r));
        assert.equal(serialize(r), canonical);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('parse never throws', () => {
  test('on arbitrary unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => {
        checkResult(s, parse(s));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('on arbitrary UTF-16 strings (including lone surrogates)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        checkResult(s, parse(s));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('on arbitrary bytes decoded as UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const s = Buffer.from(bytes).toString('utf8');
        checkResult(s, parse(s));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('on IRC-shaped noise (grammar characters over-represented)', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        checkResult(s, parse(s));
      }),
      { numRuns: RUNS * 3, seed: SEED },
    );
  });

  test('on serialized valid messages with noise appended or prepended', () => {
    fc.assert(
      fc.property(validMessage, anyText, fc.boolean(), (m, noise, before) => {
        const s = before ? noise + serialize(m) : serialize(m) + noise;
        checkResult(s, parse(s));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('tag value escaping', () => {
  test('unescapeTagValue(escapeTagValue(v)) === v', () => {
    fc.assert(
      fc.property(anyText, (v) => {
        assert.equal(unescapeTagValue(escapeTagValue(v)), v);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('escaped values contain no space, semicolon, CR or LF', () => {
    fc.assert(
      fc.property(anyText, (v) => {
        assert.doesNotMatch(escapeTagValue(v), /[ ;\r\n]/);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  test('unescapeTagValue never throws and is identity without backslashes', () => {
    fc.assert(
      fc.property(anyText, (v) => {
        const u = unescapeTagValue(v);
        assert.equal(typeof u, 'string');
        if (!v.includes('\\')) assert.equal(u, v);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

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
