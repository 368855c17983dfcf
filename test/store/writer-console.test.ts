// The history writer (writer.ts) with and without a console: L, S and B lines printed as the chat log prints them, and stored all the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeField } from '../../src/store/pipe-lines.js';
import { conversationKey, Party, type HistoryRecord } from '../../src/store/types.js';
import { T0, labels, rec } from './kit.js';
import { hhmmss } from './writer-control.js';
import { ask, line, withWriter } from './writer-kit.js';

test('writer: with a console, L lines and S lines are printed in order (one print per chunk), stored as P lines are; P lines print nothing', () =>
  withWriter(async (run) => {
    const alice = new Party('a:alice', 'alice', 'alice!~a@h', 'alice');
    const bob = new Party('c:2', 'bob', 'bob!~b@h', null);
    run.writer.data(`D\t0\ta:alice\talice\talice!~a@h\talice\nD\t1\tc:2\tbob\tbob!~b@h\t\n`);
    assert.deepEqual(run.shown, []);
    run.writer.data(
      `L\t${escapeField('12:00:00 #lobby --> alice joined\twith a tab \\ and backslash')}\n` +
        `S\tm1\t${T0 + 1}\t0\t1\tshown\ttext\n` +
        `P\tm2\t\t0\t1\tnot shown\n` +
        `S\tm3\t${T0 + 1500}\t1\t0\tback\n`,
    );
    run.writer.data(`S\tm4\t\t1\t0\tsame time`);
    assert.equal(
      run.shown.length,
      1,
      'one print for the first chunk; the second is not a line yet',
    );
    run.writer.data(`\nL\tlast\n`);
    assert.deepEqual(run.shown, [
      '12:00:00 #lobby --> alice joined\twith a tab \\ and backslash\n' +
        `${hhmmss(T0 + 1)} alice -> bob: shown\ttext\n` +
        `${hhmmss(T0 + 1500)} bob -> alice: back\n`,
      `${hhmmss(T0 + 1500)} bob -> alice: same time\nlast\n`,
    ]);
    const conversation = conversationKey(alice.historyId, bob.historyId);
    const stored = (await ask(run, 1, 'history.latest', conversation, null, 10))[2];
    assert.deepEqual(
      (stored as HistoryRecord[]).map((r) => [r.msgid, r.text]),
      [
        ['m1', 'shown\ttext'],
        ['m2', 'not shown'],
        ['m3', 'back'],
        ['m4', 'same time'],
      ],
    );
  }, true));

test('writer: with a console, a B line is stored as an A line and printed as the chat log prints a channel message', () =>
  withWriter(async (run) => {
    const said: [string, string, string][] = [
      ['PRIVMSG', 'hello\tthere', '#a <alice> hellothere'],
      ['NOTICE', 'a \x02bold\x02 notice', '#a -alice- a bold notice'],
      ['PRIVMSG', '\x01ACTION waves\x01', '#a * alice waves'],
      ['PRIVMSG', '\x01VERSION\x01', '#a alice sent CTCP VERSION'],
    ];
    const records = said.map(([command, text], i) =>
      rec('#a', text, T0 + i * 1000, { command: command as HistoryRecord['command'] }),
    );
    run.writer.data(records.map((r) => 'B' + line(r).slice(1)).join(''));
    assert.deepEqual(run.shown, [
      said.map(([, , shown], i) => `${hhmmss(T0 + i * 1000)} ${shown}\n`).join(''),
    ]);
    assert.deepEqual((await ask(run, 1, 'history.latest', '#a', null, 10))[2], records);
  }, true));

test('writer: without a console, S, B and L lines print nothing and S and B lines are still stored', () =>
  withWriter(async (run) => {
    run.writer.data(`D\t0\tc:1\ta\ta!~a@h\t\nL\tnothing\nS\tm1\t${T0}\t0\t0\tkept\n`);
    run.writer.data('B' + line(rec('#a', 'channel', T0)).slice(1));
    const stored = await ask(run, 1, 'history.latest', conversationKey('c:1', 'c:1'), null, 10);
    assert.deepEqual(
      (stored[2] as HistoryRecord[]).map((r) => r.text),
      ['kept'],
    );
    assert.deepEqual(
      labels((await ask(run, 2, 'history.latest', '#a', null, 10))[2] as HistoryRecord[]),
      ['channel'],
    );
    assert.deepEqual(run.shown, []);
    assert.deepEqual(run.answers.others(), []);
  }));
