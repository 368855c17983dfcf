// What the protocol's property tests share: the run count and seed (PARLEY_FUZZ_RUNS, PARLEY_FUZZ_SEED), and text biased towards the characters the grammar cares about.
import fc from 'fast-check';

// A short seeded run in `npm test`; PARLEY_FUZZ_RUNS and PARLEY_FUZZ_SEED for a long one (npm run fuzz).
export const RUNS = Number(process.env.PARLEY_FUZZ_RUNS ?? 1000);
export const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? 1459);

/** One UTF-16 unit or code point, biased towards the characters the grammar cares about. */
export const interestingChar = fc.oneof(
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

export const noNulCrLf = (s: string): boolean => !/[\0\r\n]/.test(s);
