// Property tests (fast-check) for messages: serialize/parse round trip, parser totality, tag escaping (fold-isupport.property.test.ts: case folding and ISUPPORT).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  escapeTagValue,
  isParseError,
  parse,
  serialize,
  unescapeTagValue,
  type Message,
  type ParseErrorKind,
  type ParseResult,
} from '../../src/protocol/index.js';
import { interestingChar, noNulCrLf, RUNS, SEED } from './property-kit.js';

// --- arbitraries -------------------------------------------------------------------------------

const anyText = fc.string({ unit: interestingChar, maxLength: 40 });
const noNul = (s: string): boolean => !s.includes('\0');
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
