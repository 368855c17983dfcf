// PipeOut, the history pipe's sending side: when lines are handed over, in what chunks, and which buffer is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PipeOut } from '../../src/store/pipe-out.js';

const KEEP = 64 * 1024;

/** A PipeOut whose chunks are collected. */
function collecting(): { out: PipeOut; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  return { out: new PipeOut((c) => chunks.push(c)), chunks };
}

/** `n` bytes written in place through room(), as the fast path writes its records. */
function fill(out: PipeOut, n: number, byte = 0x61): void {
  const buf = out.room(n);
  buf.fill(byte, out.used, out.used + n);
  out.used += n;
}

test('a record goes down the pipe at the flush; console lines alone wait about 10 ms', async () => {
  const { out, chunks } = collecting();
  out.consoleLine('12:00:00 alice joined\n');
  out.flush();
  assert.equal(chunks.length, 0, 'console lines alone wait, even first thing');
  await sleep(40);
  assert.deepEqual(chunks.map(String), ['12:00:00 alice joined\n']);

  out.consoleLine('joined\n');
  out.line('A record\n');
  out.flush();
  assert.deepEqual(
    chunks.slice(1).map(String),
    ['joined\nA record\n'],
    'a record takes them along',
  );

  // After a send the buffer is console-only again.
  out.consoleLine('parted\n');
  out.flush();
  assert.equal(chunks.length, 2);
  out.send();
  assert.equal(chunks.length, 3, 'send() hands them over at once');
  await sleep(40);
  assert.equal(chunks.length, 3, 'and the wait it replaced hands nothing more');
  out.flush();
  out.send();
  assert.equal(chunks.length, 3, 'nothing waiting: nothing handed');
});

test('room() counts as a record, and UTF-8 text is encoded as such', () => {
  const { out, chunks } = collecting();
  fill(out, 3);
  out.flush();
  out.line('héllo ✓\n');
  out.flush();
  assert.deepEqual(chunks.map(String), ['aaa', 'héllo ✓\n']);
});

test('a small turn is copied out and the buffer kept; a half-full one is handed whole', () => {
  const { out, chunks } = collecting();
  const first = out.buf;
  fill(out, KEEP / 2 - 1);
  out.send();
  assert.equal(out.buf, first, 'the buffer is kept');
  assert.notEqual(chunks[0].buffer, first.buffer, 'the chunk is a copy');
  assert.equal(chunks[0].length, KEEP / 2 - 1);
  fill(out, 1, 0x62);
  out.send();
  assert.equal(chunks[0][0], 0x61, 'a chunk handed over is never written again');

  fill(out, KEEP / 2);
  out.send();
  assert.equal(chunks[2].buffer, first.buffer, 'half full: handed over without a copy');
  assert.notEqual(out.buf, first, 'and replaced');
  assert.equal(out.buf.length, KEEP);
});

test('a busy turn hands over each full buffer in order; a line bigger than the buffer gets its own', () => {
  const { out, chunks } = collecting();
  fill(out, KEEP - 10);
  fill(out, 10, 0x62);
  assert.equal(chunks.length, 0, 'an exact fit needs no hand-over');
  fill(out, 1, 0x63);
  assert.equal(chunks.length, 1, 'the full buffer went first');
  assert.equal(chunks[0].length, KEEP);
  fill(out, KEEP, 0x64);
  assert.equal(chunks.length, 2);
  assert.equal(out.buf.length, KEEP, 'a line of exactly the buffer size fits a fresh one');
  fill(out, 1, 0x65);
  fill(out, 100_000, 0x66);
  assert.equal(out.buf.length, 2 * KEEP, 'grown to twice the size, enough for the line');
  out.send();
  const all = Buffer.concat(chunks);
  assert.equal(all.length, KEEP - 10 + 10 + 1 + KEEP + 1 + 100_000);
  assert.equal(all[KEEP - 1], 0x62);
  assert.equal(all[KEEP], 0x63);
  assert.equal(all.at(-1), 0x66);
  // A small turn after that shrinks the buffer back.
  fill(out, 5);
  out.send();
  assert.equal(out.buf.length, KEEP);
});

test('a ten-thousand-byte turn is one chunk', () => {
  const { out, chunks } = collecting();
  for (let k = 0; k < 100; k++) out.line(`A ${'x'.repeat(97)}\n`);
  out.flush();
  assert.equal(chunks.length, 1);
  assert.equal(chunks[0].length, 10_000);
});
