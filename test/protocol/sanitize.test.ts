// Terminal safety: stripControls on text, and hasWideControl (the fast path's byte-level check) agreeing with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hasWideControl, stripControls } from '../../src/protocol/index.js';

test('stripControls removes C0, DEL, C1 and bidi overrides and keeps the rest', () => {
  assert.equal(stripControls('a\x1b[2Jb\x07c\x7fd\u0085e\u202ef\u2066g'), 'a[2Jbcdefg');
  assert.equal(
    stripControls('caf\u00e9 \u2603 \u{1f600} \u00a0'),
    'caf\u00e9 \u2603 \u{1f600} \u00a0',
  );
});

test('hasWideControl is true exactly when stripControls would remove a non-ASCII character', () => {
  // Code points near the ranges' edges, and anywhere else, mixed with plain ASCII.
  const edges = [0x7e, 0x80, 0x85, 0x9f, 0xa0, 0x2029, 0x202a, 0x202e, 0x202f, 0x2065, 0x2066];
  const near = fc.constantFrom(...edges, 0x2069, 0x206a, 0xe280, 0x1f600);
  const anyChar = fc.integer({ min: 0x20, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff);
  const text = fc.array(fc.oneof(near, anyChar), { maxLength: 12 }).map((cs) =>
    cs
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCodePoint(c))
      .join(''),
  );
  fc.assert(
    fc.property(text, (s) => {
      const bytes = Buffer.from(s);
      assert.equal(
        hasWideControl(bytes, 0, bytes.length),
        stripControls(s) !== s,
        JSON.stringify(s),
      );
    }),
    { numRuns: 2000 },
  );
});

test('hasWideControl looks only at bytes start..end-1, not at what follows', () => {
  const bytes = Buffer.from('a\u0085b'); // 61 C2 85 62
  assert.equal(hasWideControl(bytes, 0, 1), false);
  assert.equal(hasWideControl(bytes, 1, 3), true);
  assert.equal(hasWideControl(bytes, 3, 4), false);
});
