// wire.ts: socket errors in words, addresses as shown, ERROR lines, the UTF-8 check that only looks closer at U+FFFD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeError, errorLine, isValidUtf8, normalizeIp } from '../../src/server/wire.js';

const err = (code: string | undefined, message = 'boom') =>
  Object.assign(new Error(message), { code }) as NodeJS.ErrnoException;

test('socket errors read as the reason users see', () => {
  assert.equal(describeError(err('ECONNRESET')), 'Connection reset by peer');
  assert.equal(describeError(err('EPIPE')), 'Broken pipe');
  assert.equal(describeError(err('ETIMEDOUT')), 'Connection timed out');
  assert.equal(describeError(err('EHOSTUNREACH')), 'Write error: EHOSTUNREACH');
  assert.equal(describeError(err(undefined, 'odd failure')), 'Write error: odd failure');
});

test('an IPv4 address on a dual-stack socket is shown as IPv4; others as they are', () => {
  assert.equal(normalizeIp('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(normalizeIp('::1'), '::1');
  assert.equal(normalizeIp('10.0.0.1'), '10.0.0.1');
  assert.equal(normalizeIp('2001:db8::ffff:1.2.3.4'), '2001:db8::ffff:1.2.3.4');
});

test('ERROR lines and the UTF-8 check', () => {
  assert.equal(errorLine('Closing link').toString(), 'ERROR :Closing link\r\n');
  const check = (bytes: number[]) => {
    const b = Buffer.from([0x20, ...bytes, 0x20]);
    return isValidUtf8(b.toString('utf8', 1, b.length - 1), b, 1, b.length - 1);
  };
  assert.equal(check([0x61, 0xc3, 0xa9]), true);
  assert.equal(check([0xef, 0xbf, 0xbd]), true, 'a U+FFFD that was sent as such is valid');
  assert.equal(check([0x61, 0xff]), false);
  assert.equal(check([0xc3]), false, 'a sequence cut short');
});
