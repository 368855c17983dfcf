// The console log's shared pieces: the clock, the message forms, and the sink on a file descriptor (done callbacks, drops, a closed reader).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConsoleClock, consoleForm, consoleSink } from '../../src/store/console.js';
import { makeTemp, rmTemp } from './kit.js';
import { hhmmss } from './writer-control.js';

test('the clock is local HH:MM:SS, from the first second on', () => {
  const clock = new ConsoleClock();
  const at = hhmmss;
  assert.equal(clock.text(1500), at(1500));
  assert.equal(clock.text(1999), at(1500));
  assert.equal(clock.text(2000), at(2000));
  const now = Date.UTC(2026, 11, 3, 14, 5, 9, 250);
  assert.equal(clock.text(now), at(now));
  assert.match(clock.text(now), /^\d\d:\d\d:09$/);
});

test('consoleForm: notices, actions and other CTCP, with the framing taken off', () => {
  assert.deepEqual(consoleForm('PRIVMSG', 'hi'), { kind: 'privmsg', text: 'hi' });
  assert.deepEqual(consoleForm('NOTICE', 'hi'), { kind: 'notice', text: 'hi' });
  assert.deepEqual(consoleForm('PRIVMSG', '\x01ACTION waves\x01'), {
    kind: 'action',
    text: 'waves',
  });
  // Only a PRIVMSG is an action; a NOTICE of the same text is a CTCP reply.
  assert.deepEqual(consoleForm('NOTICE', '\x01ACTION waves\x01'), {
    kind: 'ctcp',
    text: 'waves',
  });
  assert.deepEqual(consoleForm('PRIVMSG', '\x01VERSION\x01'), { kind: 'ctcp', text: 'VERSION' });
  // Only the framing goes: a \x01 inside the text stays.
  assert.deepEqual(consoleForm('PRIVMSG', '\x01ACTION a\x01b\x01'), {
    kind: 'action',
    text: 'a\x01b',
  });
  assert.deepEqual(consoleForm('PRIVMSG', '\x01PING 1'), { kind: 'ctcp', text: 'PING 1' });
});

test('the sink writes to a file in order, calls done when a chunk is out, and ends', async () => {
  const dir = makeTemp();
  try {
    const file = path.join(dir, 'console.txt');
    const sink = consoleSink(fs.openSync(file, 'w'));
    const done: number[] = [];
    sink.write(Buffer.from('one\n'), () => done.push(1));
    sink.write(Buffer.from('two\n'));
    sink.write(Buffer.from('three\n'), () => done.push(3));
    for (let i = 0; i < 200 && done.length < 2; i++) await sleep(5);
    assert.deepEqual(done, [1, 3]);
    sink.write(Buffer.from('four\n'), () => done.push(4));
    for (let i = 0; i < 200 && done.length < 3; i++) await sleep(5);
    assert.equal(fs.readFileSync(file, 'utf8'), 'one\ntwo\nthree\nfour\n');
    let ended = 0;
    sink.end(() => ended++);
    assert.equal(ended, 0, 'done once the file is closed, not before');
    for (let i = 0; i < 200 && ended === 0; i++) await sleep(5);
    assert.equal(ended, 1, 'done once, though both close and the end may be heard');
  } finally {
    rmTemp(dir);
  }
});

/** A FIFO in `dir`, opened for writing, with a read end that `closeReader` closes. */
function fifo(dir: string): { w: number; r: number; path: string } {
  const p = path.join(dir, 'fifo');
  execFileSync('mkfifo', [p]);
  const r = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const w = fs.openSync(p, 'w');
  return { w, r, path: p };
}

test('nobody reading: up to 16 MiB waits, past that lines are dropped and done at once', async () => {
  const dir = makeTemp();
  const { w, r } = fifo(dir);
  try {
    const sink = consoleSink(w);
    const mib = Buffer.alloc(1024 * 1024, 0x61);
    let doneNow = false;
    sink.write(mib, () => (doneNow = true));
    assert.equal(doneNow, false, '1 MiB waits for the reader');
    let dropped = 0;
    for (let k = 0; k < 20; k++) {
      let now = false;
      sink.write(mib, () => (now = true));
      if (now) dropped++;
    }
    assert.ok(dropped >= 4 && dropped <= 6, `about 4 of the 20 MiB dropped: ${dropped}`);
  } finally {
    fs.closeSync(r);
    // The pending writes fail (nobody reads): let them, then go.
    await sleep(50);
    rmTemp(dir);
  }
});

test('the reader gone (EPIPE): what waited is done, later lines are done at once, end() too', async () => {
  const dir = makeTemp();
  const { w, r } = fifo(dir);
  fs.closeSync(r);
  try {
    const sink = consoleSink(w);
    let first = 0;
    sink.write(Buffer.from('lost\n'), () => first++);
    for (let i = 0; i < 200 && first === 0; i++) await sleep(5);
    assert.equal(first, 1, 'the waiting chunk is done on the error');
    let later = 0;
    sink.write(Buffer.from('later\n'), () => later++);
    assert.equal(later, 1, 'done at once once broken');
    assert.equal(sink.write(Buffer.from('no callback\n')), undefined);
    sink.flushSync(); // does not throw
    let ended = 0;
    sink.end(() => ended++);
    assert.equal(ended, 1, 'end is done at once');
  } finally {
    rmTemp(dir);
  }
});
