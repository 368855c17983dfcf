// copyBytes: the same bytes whichever of its three ways (set, Buffer#copy, a loop) a run takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyBytes } from '../../src/protocol/bytes.js';

test('copyBytes copies any run of any size to any place and returns where it ends', () => {
  const src = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 7 + 3) & 0xff));
  // Whole buffers and parts, on each side of the 16- and 40-byte thresholds.
  const runs: [number, number][] = [];
  for (const n of [0, 1, 15, 16, 17, 39, 40, 41, 99, 100]) {
    runs.push([0, n], [100 - n, 100], [Math.floor((100 - n) / 2), Math.floor((100 - n) / 2) + n]);
  }
  for (const [start, end] of runs) {
    for (const whole of [false, true]) {
      const from = whole ? src.subarray(start, end) : src;
      const [s, e] = whole ? [0, end - start] : [start, end];
      const dst = Buffer.alloc(130, 0xee);
      const at = 5;
      const ended = copyBytes(dst, at, from, s, e);
      assert.equal(ended, at + (end - start), `[${start}, ${end}) whole=${whole}`);
      assert.deepEqual(dst.subarray(at, ended), src.subarray(start, end));
      assert.ok(
        dst.subarray(0, at).every((b) => b === 0xee),
        'nothing written before',
      );
      assert.ok(
        dst.subarray(ended).every((b) => b === 0xee),
        'nothing written after',
      );
    }
  }
  // The defaults: the whole of src.
  const dst = Buffer.alloc(20);
  assert.equal(copyBytes(dst, 2, Buffer.from('hello')), 7);
  assert.equal(dst.toString('latin1', 2, 7), 'hello');
});
