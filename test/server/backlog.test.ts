// The flood backlog's byte count: what is taken off is what was counted in, whatever the text decoded to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backlog, LINE_NOT_UTF8, LINE_TOO_LONG, LINE_UTF8 } from '../../src/server/backlog.js';

test('lines come out in order with their kinds, and the count goes back to 0', () => {
  const b = new Backlog();
  // Read as 3 bytes that were not UTF-8: decoded, each became U+FFFD (3 bytes of UTF-8 apiece).
  b.push('\ufffd\ufffd\ufffd', LINE_NOT_UTF8, 3);
  b.push('PRIVMSG #a :héllo', LINE_UTF8, 18);
  b.push('', LINE_TOO_LONG, 0);
  assert.equal(b.size, 3);
  assert.equal(b.bytes, 21);
  assert.deepEqual(b.shift(), ['\ufffd\ufffd\ufffd', LINE_NOT_UTF8]);
  assert.equal(b.bytes, 18, 'the 3 bytes read, not the 9 of the decoded text');
  assert.deepEqual(b.shift(), ['PRIVMSG #a :héllo', LINE_UTF8]);
  assert.equal(b.bytes, 0);
  assert.deepEqual(b.shift(), ['', LINE_TOO_LONG]);
  assert.equal(b.size, 0);
  assert.equal(b.bytes, 0);
});
