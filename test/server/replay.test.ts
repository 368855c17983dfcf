// A stored message replayed (history.ts replayLine) for each kind of client: which tags, TAGMSG, and a multiline message as a batch or as lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAPBIT } from '../../src/server/capabilities.js';
import { batchId, linesText, replayLine, textLines } from '../../src/server/history.js';
import type { HistoryRecord } from '../../src/store/types.js';

const TIME = Date.UTC(2026, 11, 3, 12, 0, 0, 5);
const STAMP = 'time=2026-12-03T12:00:00.005Z';

function record(over: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    msgid: 'm1',
    time: TIME,
    conversation: '#dev',
    target: '#dev',
    source: 'ann!~a@h',
    account: 'ann',
    command: 'PRIVMSG',
    tags: '+draft/reply=m0',
    text: 'hello',
    ...over,
  };
}

const { MESSAGE_TAGS: TAGS, SERVER_TIME: TIMES, ACCOUNT_TAG: ACCT, BATCH, MULTILINE } = CAPBIT;

test('the tags of a replayed message follow the client: none, time only, or everything it asked for', () => {
  const r = record();
  assert.equal(replayLine(r, 0, null), ':ann!~a@h PRIVMSG #dev hello\r\n');
  assert.equal(replayLine(r, TIMES, null), `@${STAMP} :ann!~a@h PRIVMSG #dev hello\r\n`);
  assert.equal(
    replayLine(r, TAGS, null),
    `@${STAMP};msgid=m1;+draft/reply=m0 :ann!~a@h PRIVMSG #dev hello\r\n`,
    'message-tags: time, msgid and the client tags, no account without account-tag',
  );
  assert.equal(
    replayLine(r, TAGS | ACCT, 'b7'),
    `@batch=b7;${STAMP};msgid=m1;account=ann;+draft/reply=m0 :ann!~a@h PRIVMSG #dev hello\r\n`,
  );
  assert.equal(
    replayLine(record({ account: null, tags: '' }), TAGS | ACCT, null),
    `@${STAMP};msgid=m1 :ann!~a@h PRIVMSG #dev hello\r\n`,
    'not logged in, no client tags: neither is invented',
  );
  assert.equal(replayLine(record(), ACCT, null), ':ann!~a@h PRIVMSG #dev hello\r\n');
});

test('a TAGMSG is replayed only to message-tags clients, without text', () => {
  const r = record({ command: 'TAGMSG', text: '', tags: '+typing=active' });
  assert.equal(replayLine(r, TIMES | ACCT, null), null);
  assert.equal(
    replayLine(r, TAGS, null),
    `@${STAMP};msgid=m1;+typing=active :ann!~a@h TAGMSG #dev\r\n`,
  );
});

test('a multiline message: a draft/multiline batch with concat marks, or plain lines, blank ones left out', () => {
  const text = linesText([
    { text: 'one', concat: false },
    { text: 'two', concat: true },
    { text: '', concat: false },
    { text: 'three', concat: false },
  ]);
  assert.deepEqual(
    textLines(text).map((l) => [l.text, l.concat]),
    [
      ['one', false],
      ['two', true],
      ['', false],
      ['three', false],
    ],
  );
  const r = record({ text, tags: '' });
  const next = Number.parseInt(batchId('x').slice(1), 36) + 1;
  const id = `ml${next.toString(36)}`;
  assert.equal(
    replayLine(r, TAGS | BATCH | MULTILINE, 'h1'),
    `@batch=h1;${STAMP};msgid=m1 :ann!~a@h BATCH +${id} draft/multiline #dev\r\n` +
      `@batch=${id} :ann!~a@h PRIVMSG #dev one\r\n` +
      `@batch=${id};draft/multiline-concat :ann!~a@h PRIVMSG #dev two\r\n` +
      `@batch=${id} :ann!~a@h PRIVMSG #dev :\r\n` +
      `@batch=${id} :ann!~a@h PRIVMSG #dev three\r\n` +
      `@batch=h1 :ann!~a@h BATCH -${id}\r\n`,
  );
  assert.equal(
    replayLine(r, TAGS | BATCH, null),
    `@${STAMP};msgid=m1 :ann!~a@h PRIVMSG #dev one\r\n` +
      `@${STAMP} :ann!~a@h PRIVMSG #dev two\r\n` +
      `@${STAMP} :ann!~a@h PRIVMSG #dev three\r\n`,
    'without multiline: one line each, the msgid on the first',
  );
  assert.equal(
    replayLine(r, 0, null),
    ':ann!~a@h PRIVMSG #dev one\r\n:ann!~a@h PRIVMSG #dev two\r\n:ann!~a@h PRIVMSG #dev three\r\n',
  );
});

test('batch ids are new each time', () => {
  const a = batchId('ml');
  const b = batchId('ml');
  assert.notEqual(a, b);
  assert.ok(a.startsWith('ml') && b.startsWith('ml'));
});
