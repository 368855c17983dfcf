// The history writer's work (writer.ts) in process: lines in as the pipe delivers them, rows in a SQLite file, answers out (writer-console.test.ts: the lines it prints on a console).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { escapeField } from '../../src/store/pipe-lines.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import {
  conversationKey,
  Party,
  privateRecord,
  type HistoryRecord,
} from '../../src/store/types.js';
import { jsonLines, openWriter } from '../../src/store/writer.js';
import { ALICE, T0, notADatabase, makeTemp, rec, rmTemp } from './kit.js';
import { within } from './writer-control.js';
import { Answers, ask, line, q, withWriter } from './writer-kit.js';

/** A write's line. */
function w(method: string, ...args: unknown[]): string {
  return `${JSON.stringify(['w', method, args])}\n`;
}

/** Every field that may hold one: tab, LF, CR and backslash, alone and among other text. */
const AWKWARD = [
  rec('#a', 'plain', T0 + 1),
  rec('#a', 'x\ty\nz\r\\w and é ✓', T0 + 2, { account: 'ali\\ce\t', tags: '+a=b\\sc;+t' }),
  rec('#a', '\t', T0 + 3, { target: '\\', source: 'a\nb!c@d', account: 'bob' }),
  rec('#a', '\n', T0 + 4, { tags: '\r' }),
  rec('#a', '\r', T0 + 5),
  rec('#a', '\\', T0 + 6, { account: '\\t' }),
  rec('#a', '', T0 + 7, { command: 'TAGMSG', tags: '+typing=active' }),
  rec('#a', '\\n is not a newline', T0 + 8, { command: 'NOTICE' }),
];

test('writer: a record line is a row, every field as it was sent, escapes undone and an empty account null', () =>
  withWriter(async (run) => {
    const odd = rec('a\tb c\\d', 'in an odd conversation', T0 + 9, { target: 'c\\d' });
    run.writer.data(AWKWARD.map(line).join('') + line(odd));
    assert.deepEqual(await ask(run, 1, 'history.latest', '#a', null, 100), ['r', 1, AWKWARD]);
    assert.deepEqual(await ask(run, 2, 'history.latest', odd.conversation, null, 10), [
      'r',
      2,
      [odd],
    ]);
    assert.deepEqual(run.answers.others(), []);
  }));

test('writer: lines split anywhere across chunks, several to a chunk, and blank lines', () =>
  withWriter(async (run) => {
    const first = AWKWARD.slice(0, 4);
    const input = first.map(line).join('') + w('setMeta', 'k', 'v \\ \t') + q(1, 'getMeta', 'k');
    // One character at a time: every line arrives in pieces, every newline alone.
    for (const c of input) run.writer.data(c);
    assert.deepEqual(await run.answers.to(1), ['r', 1, 'v \\ \t']);
    // Then the rest in uneven chunks, with blank lines between lines and a line ending a chunk.
    const rest = `\n\n${AWKWARD.slice(4).map(line).join('\n')}\n${q(2, 'history.latest', '#a', null, 100)}`;
    for (let i = 0; i < rest.length; i += 7) run.writer.data(rest.slice(i, i + 7));
    assert.deepEqual(await run.answers.to(2), ['r', 2, AWKWARD]);
    run.writer.data('\n');
    run.writer.data('\n\n');
    assert.deepEqual(run.answers.others(), [], 'blank lines are no lines');
  }));

test('writer: a line that is neither a record nor JSON is answered with err, and the lines after it still count', () =>
  withWriter(async (run) => {
    run.writer.data('x\n');
    assert.deepEqual(run.answers.lines, [['err', 'the history writer got a line it cannot read']]);
    run.writer.data(`{"w": 1\n${w('setMeta', 'k', 'v')}`);
    assert.deepEqual(await ask(run, 1, 'getMeta', 'k'), ['r', 1, 'v']);
    assert.deepEqual(run.answers.others(), [
      ['err', 'the history writer got a line it cannot read'],
      ['err', 'the history writer got a line it cannot read'],
    ]);
  }));

test('writer: writes reach the store methods they name, the nested ones too', () =>
  withWriter(async (run) => {
    const [a, b, c] = [rec('#a', 'a', T0 + 1), rec('#a', 'b', T0 + 2), rec('#a', 'c', T0 + 3)];
    run.writer.data([a, b, c].map(line).join(''));
    run.writer.data(
      w('history.redact', b.msgid) +
        w('setMeta', 'cloak-secret', 's') +
        w('accounts.setReadMarker', 'alice', '#a', T0 + 2) +
        w('channels.delete', '#nothing'),
    );
    assert.deepEqual(await ask(run, 1, 'history.latest', '#a', null, 10), ['r', 1, [a, c]]);
    assert.deepEqual(await ask(run, 2, 'getMeta', 'cloak-secret'), ['r', 2, 's']);
    assert.deepEqual(await ask(run, 3, 'accounts.readMarker', 'alice', '#a'), ['r', 3, T0 + 2]);
    assert.deepEqual(run.answers.others(), []);
  }));

test('writer: a write naming no store method is answered with err, and the lines after it still count', () =>
  withWriter(async (run) => {
    run.writer.data(w('history.nothing', 1) + w('nothing') + w('setMeta', 'k', 'v'));
    assert.deepEqual(await ask(run, 1, 'getMeta', 'k'), ['r', 1, 'v']);
    assert.deepEqual(run.answers.others(), [
      ['err', 'no store method history.nothing'],
      ['err', 'no store method nothing'],
    ]);
  }));

test('writer: a private line (P) is the row privateRecord makes, its parties (D lines) escaped or not, its text as it is', () =>
  withWriter(async (run) => {
    const alice = new Party('a:alice', 'alice', 'alice!~a@h', 'alice');
    const odd = new Party('c:1\t\\', 'n\rck', 's\nrc!~x@h', null);
    const party = (no: number, p: Party) =>
      ['D', no, p.historyId, p.nick, p.prefix, p.account ?? '']
        .map((f) => escapeField(String(f)))
        .join('\t') + '\n';
    run.writer.data(party(0, alice) + party(7, odd));
    const sent: [number, number, HistoryRecord][] = [
      [0, 7, privateRecord('m1', T0 + 1, alice, odd, 'hello')],
      [7, 0, privateRecord('m2', T0 + 2, odd, alice, 'back \\ with\ttabs \\t')],
      [7, 0, privateRecord('m3', T0 + 2, odd, alice, '')],
    ];
    let lastTime = -1;
    for (const [from, to, r] of sent) {
      // An empty time is the last P line's; the text is the rest of the line, unescaped (an IRC
      // parameter has no CR or LF).
      const time = r.time === lastTime ? '' : String(r.time);
      lastTime = r.time;
      run.writer.data(['P', r.msgid, time, from, to, r.text].join('\t') + '\n');
    }
    // A number defined again means the new party from then on.
    const bob = new Party('a:bob', 'bob', 'bob!~b@h', 'bob');
    run.writer.data(party(7, bob));
    const r4 = privateRecord('m4xxxxxxx4', T0 + 4, alice, bob, 'to bob');
    run.writer.data(['P', r4.msgid, r4.time, 0, 7, r4.text].join('\t') + '\n');
    // A msgid `~rest`: the last P line's first 9 bytes, then rest.
    const r5 = privateRecord('m4xxxxxxx5', T0 + 4, alice, bob, 'same head');
    run.writer.data(['P', '~5', '', 0, 7, r5.text].join('\t') + '\n');
    // A number nobody defined: reported, not stored, and the lines after it still count.
    run.writer.data(['P', 'm5', T0 + 5, 0, 99, 'lost'].join('\t') + '\n');
    const conversation = conversationKey(alice.historyId, odd.historyId);
    assert.deepEqual(await ask(run, 1, 'history.latest', conversation, null, 10), [
      'r',
      1,
      sent.map(([, , r]) => r),
    ]);
    const withBob = conversationKey(alice.historyId, bob.historyId);
    assert.deepEqual(await ask(run, 2, 'history.latest', withBob, null, 10), ['r', 2, [r4, r5]]);
    assert.deepEqual(run.answers.others(), [
      ['err', 'the history writer got a private message from or to an undefined party'],
    ]);
  }));

test('writer: a query is answered with r and its value (null for none), a failure with x and the reason', () =>
  withWriter(async (run) => {
    const account = ALICE;
    assert.deepEqual(await ask(run, 1, 'accounts.create', account), ['r', 1, true]);
    assert.deepEqual(await ask(run, 2, 'accounts.create', account), ['r', 2, false]);
    assert.deepEqual(await ask(run, 3, 'accounts.get', 'alice'), ['r', 3, account]);
    assert.deepEqual(await ask(run, 4, 'accounts.get', 'bob'), ['r', 4, null]);
    // update() answers nothing: the line still says null, so the promise resolves.
    assert.deepEqual(await ask(run, 5, 'accounts.update', { ...account, email: 'a@b' }), [
      'r',
      5,
      null,
    ]);
    assert.deepEqual(await ask(run, 6, 'getMeta', 'none'), ['r', 6, null]);
    // Failures: a method that throws, and paths that name no method.
    const bad = await ask(run, 7, 'accounts.create', null);
    assert.equal(bad[0], 'x');
    assert.equal(bad[1], 7);
    assert.match(String(bad[2]), /null/);
    assert.deepEqual(await ask(run, 8, 'history.nope', 1), [
      'x',
      8,
      'no store method history.nope',
    ]);
    assert.deepEqual(await ask(run, 9, 'nope.latest'), ['x', 9, 'no store method nope.latest']);
    assert.deepEqual(await ask(run, 10, 'nope'), ['x', 10, 'no store method nope']);
    assert.deepEqual(await ask(run, 11, 'where'), ['x', 11, 'no store method where']);
    // The writer goes on after them.
    assert.deepEqual(await ask(run, 12, 'accounts.get', 'alice'), [
      'r',
      12,
      { ...account, email: 'a@b' },
    ]);
    assert.deepEqual(run.answers.others(), []);
  }));

test('writer: a line of another kind is ignored', () =>
  withWriter(async (run) => {
    run.writer.data('["z", 1, "getMeta", ["k"]]\n[]\n{}\n');
    assert.deepEqual(await ask(run, 2, 'getMeta', 'k'), ['r', 2, null]);
    assert.deepEqual(run.answers.lines, [['r', 2, null]]);
  }));

test('writer: a query first commits the writes before it; a failed commit is answered with err', () =>
  withWriter(async (run) => {
    // The writer commits every 20 ms: without the query's commit these would not be visible yet.
    const a = rec('#a', 'just sent', T0 + 1);
    run.writer.data(line(a) + q(1, 'history.latest', '#a', null, 10));
    assert.deepEqual(await run.answers.to(1), ['r', 1, [a]]);
    // A write that SQLite refuses (meta.value is NOT NULL) fails its commit: the query's.
    run.writer.data(w('setMeta', 'k', null) + q(2, 'getMeta', 'k'));
    assert.deepEqual(run.answers.lines.slice(1), [
      ['err', 'NOT NULL constraint failed: meta.value'],
    ]);
    assert.deepEqual(await run.answers.to(2), ['r', 2, null]);
  }));

test('writer: the end of input commits what is left and closes the file', async () => {
  const dir = makeTemp();
  try {
    const file = path.join(dir, 'parley.db');
    const answers = new Answers();
    const writer = openWriter(file, false, answers.send);
    assert.ok(writer !== null);
    const input = new PassThrough();
    const ended = new Promise<void>((resolve) => writer.read(input, resolve));
    // Text as bytes, a two-byte character cut between two chunks.
    const r = rec('#a', 'café ✓', T0 + 1);
    const bytes = Buffer.from(line(r) + w('setMeta', 'k', 'é'));
    const cut = bytes.indexOf(Buffer.from('é')) + 1;
    input.write(bytes.subarray(0, cut));
    input.write(bytes.subarray(cut));
    input.end();
    await within(ended, 'close after the end of input');
    assert.deepEqual(answers.lines, [['ready']]);
    // Closed: the lock is gone, and the rows are in the file.
    const again = openSqliteStore(file);
    try {
      assert.deepEqual(await again.history.latest('#a', null, 10), [r]);
      assert.equal(await again.getMeta('k'), 'é');
    } finally {
      await again.close();
    }
  } finally {
    rmTemp(dir);
  }
});

test('writer: a file that cannot be opened is answered with fail and its reason', async () => {
  const dir = makeTemp();
  try {
    const { file, reason: expected } = notADatabase(dir);
    assert.match(expected, /not a parley database/);
    const answers = new Answers();
    assert.equal(openWriter(file, false, answers.send), null);
    assert.deepEqual(answers.lines, [['fail', expected]]);
  } finally {
    rmTemp(dir);
  }
});

test('writer: answers go out as one JSON array a line', () => {
  const out = new PassThrough();
  const send = jsonLines(out);
  send(['ready']);
  send(['r', 1, { text: 'a\nb' }]);
  assert.equal(out.read().toString(), '["ready"]\n["r",1,{"text":"a\\nb"}]\n');
});

test('writer: run as a script (as pipe.ts starts it): answers on stdout, exits 0 at the end of input, or 2 when it cannot open the file', () => {
  const script = fileURLToPath(new URL('../../src/store/writer.js', import.meta.url));
  const dir = makeTemp();
  try {
    const file = path.join(dir, 'parley.db');
    const r = rec('#a', 'by the process', T0);
    const ok = spawnSync(process.execPath, [script, file, '0'], {
      input: line(r) + q(1, 'history.latest', '#a', null, 10),
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, `["ready"]\n${JSON.stringify(['r', 1, [r]])}\n`);
    const bad = path.join(dir, 'text');
    fs.writeFileSync(bad, 'not a database, only text '.repeat(200));
    const fail = spawnSync(process.execPath, [script, bad, '1'], {
      input: '',
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(fail.status, 2, fail.stderr);
    assert.match(
      fail.stdout,
      /^\["fail","cannot open database [^\n]*not a parley database[^\n]*"\]\n$/,
    );
  } finally {
    rmTemp(dir);
  }
});
