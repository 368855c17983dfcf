// Fuzzing the private-message fast path against the general path: for random lines (random targets, random bytes of text), the same bytes out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { transcript } from '../helpers/direct.js';

/** Targets: the registered nicks in odd cases, unknown nicks, channels, several, malformed. */
const target = fc.constantFrom(
  'bob',
  'BOB',
  'Carol',
  'dave',
  'erin',
  'alice',
  'nobody',
  '#lobby',
  '@#lobby',
  'bob,carol',
  'bob,',
  ':bob',
  '',
  'b\u00f6b',
);

/** Text bytes: mostly printable ASCII, with spaces, colons, controls, UTF-8 and invalid bytes mixed in. */
const textByte = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0x21, max: 0x7e }) },
  { weight: 3, arbitrary: fc.constant(0x20) },
  { weight: 1, arbitrary: fc.constant(0x3a) },
  { weight: 1, arbitrary: fc.constantFrom(0x01, 0x02, 0x03, 0x07, 0x09, 0x1b, 0x7f) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
);
const utf8Text = fc
  .string({ unit: 'grapheme', maxLength: 12 })
  .map((s) => [...Buffer.from(s.replace(/[\r\n\0]/g, ''))]);
const text = fc
  .array(
    fc.oneof(
      textByte.map((b) => [b]),
      utf8Text,
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.flat());

const verb = fc.constantFrom('PRIVMSG', 'PRIVMSG', 'PRIVMSG', 'NOTICE', 'privmsg');
const spacing = fc.constantFrom(' :', ' :', ' ', '  :', ' ::');

const line = fc
  .tuple(verb, target, spacing, text)
  .map(([v, t, sp, bytes]) => Buffer.from([...Buffer.from(`${v} ${t}${sp}`), ...bytes, 13, 10]));

test('fuzz: the fast path and the general path give the same bytes for random private messages', async () => {
  let relayed = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 25 }), async (lines) => {
      const general = await transcript(false, {}, 'text', lines);
      const fast = await transcript(true, {}, 'text', lines);
      assert.equal(general.relayed, 0);
      relayed += fast.relayed;
      assert.deepEqual(fast.got, general.got);
      assert.deepEqual(fast.printed, general.printed);
    }),
    // A short seeded run in `npm test`; PARLEY_FUZZ_RUNS and PARLEY_FUZZ_SEED for a long one.
    {
      numRuns: Number(process.env.PARLEY_FUZZ_RUNS ?? 12),
      seed: Number(process.env.PARLEY_FUZZ_SEED ?? 20261201),
    },
  );
  assert.ok(relayed > 0, 'not vacuous: some of the random lines took the fast path');
});
