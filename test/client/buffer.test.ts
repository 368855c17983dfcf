// Tests for the window model: wrapping by cell width, a buffer's order, bound, unread rule, scrolling and /find, the windows and where lines go.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LineInfo } from '../../src/client/app.js';
import type { SessionEvent } from '../../src/client/events.js';
import { SERVER_WINDOW_ID, windowsOf } from '../../src/client/route.js';
import { Buffer, SCROLLBACK_LINES, UNREAD_LABEL } from '../../src/client/ui/buffer.js';
import { displayWidth } from '../../src/client/ui/width.js';
import { SERVER_WINDOW, Windows } from '../../src/client/ui/windows.js';
import { wrapLine } from '../../src/client/ui/wrap.js';

const SGR = /\x1b\[[0-9;]*m/g;
const plain = (rows: string[]): string[] => rows.map((r) => r.replace(SGR, ''));

describe('wrapLine', () => {
  const cases: readonly [string, string, number, number, string[]][] = [
    // name, text, width, indent → rows
    ['fits', 'hello', 10, 0, ['hello']],
    ['breaks after a space', 'hello big world', 10, 0, ['hello big ', 'world']],
    ['a long word breaks between graphemes', 'abcdefghijkl', 5, 0, ['abcde', 'fghij', 'kl']],
    [
      'continuation rows indented',
      '12:00 aaaa bbbb cccc',
      10,
      2,
      ['12:00 aaaa', '  bbbb ', '  cccc'],
    ],
    ['CJK never straddles two rows', '中文字符中', 5, 0, ['中文', '字符', '中']],
    ['emoji are two cells', 'a👍👍👍', 4, 0, ['a👍', '👍👍']],
    ['a ZWJ family is one grapheme', '👨‍👩‍👧👨‍👩‍👧', 3, 0, ['👨‍👩‍👧', '👨‍👩‍👧']],
    // An indent leaves room for a wide character, or is not made (the row would pass the width).
    ['no indent that a wide character cannot follow', ' 🈀', 2, 1, [' ', '🈀']],
    ['an indent a wide character can follow', '中中', 3, 1, ['中', ' 中']],
    // A word moved down with the grapheme that did not fit must fit the next row, or stays.
    ['a word moves down only when it fits there', 'a bＡＢ', 4, 2, ['a b', '  Ａ', '  Ｂ']],
    // A deep indent (a table's column) is kept while it leaves 24 cells per row, else dropped.
    [
      'a deep indent that leaves 26 cells',
      `${'k'.repeat(33)} one two three four five six seven eight nine`,
      60,
      34,
      [`${'k'.repeat(33)} one two three four five `, `${' '.repeat(34)}six seven eight nine`],
    ],
    [
      'a deep indent that would leave 22 cells is not made',
      `${'k'.repeat(33)} one two three four five six seven eight nine`,
      56,
      34,
      [`${'k'.repeat(33)} one two three four `, 'five six seven eight nine'],
    ],
  ];
  for (const [name, text, width, indent, rows] of cases) {
    test(name, () => assert.deepEqual(wrapLine(text, width, indent), rows));
  }

  test('colours are re-opened on the next row and closed at the end of each', () => {
    const rows = wrapLine('\x1b[31mredredred\x1b[0m plain', 4);
    assert.deepEqual(plain(rows), ['redr', 'edre', 'd ', 'plai', 'n']);
    assert.equal(rows[0], '\x1b[31mredr\x1b[0m');
    assert.equal(rows[1], '\x1b[31medre\x1b[0m');
    assert.equal(rows[3], 'plai');
  });

  test('properties: no row is wider than the width, and no text is lost', () => {
    const char = fc.constantFrom('a', 'b', ' ', '中', '👍', 'e\u0301', '\x1b[1m', '\x1b[0m');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 80 }), fc.integer({ min: 2, max: 30 }), (cs, w) => {
        const text = cs.join('');
        const rows = wrapLine(text, w);
        for (const r of rows) assert.ok(displayWidth(r) <= w, `row '${r}' wider than ${w}`);
        // Only a space that falls on a break may go.
        const squeeze = (t: string): string => t.replace(/ /g, '');
        assert.equal(squeeze(plain(rows).join('')), squeeze(text.replace(SGR, '')));
      }),
      { numRuns: 300 },
    );
  });
});

/** A buffer holding lines "1".."n" at times 1..n. */
function filled(n: number): Buffer {
  const b = new Buffer();
  for (let k = 1; k <= n; k++) b.add(String(k), k);
  return b;
}

describe('Buffer', () => {
  test('lines are kept in time order; the newest-last case is an append', () => {
    const b = new Buffer();
    b.add('live 10', 10, { placed: true });
    b.add('live 20', 20, { placed: true });
    b.add('history 5', 5, { placed: true });
    b.add('history 15', 15, { placed: true });
    b.add('also 15, after', 15, { placed: true });
    assert.deepEqual(b.texts(), [
      'history 5',
      'live 10',
      'history 15',
      'also 15, after',
      'live 20',
    ]);
  });

  test("a line's own hang replaces the view's indent while it leaves 24 cells, else the indent", () => {
    const b = new Buffer();
    const help = `12:00 -- ${'u'.repeat(20)} the help text wraps here and more`;
    b.add(help, 1, { hang: 30 });
    b.add('12:01 -- a plain line that wraps like the others do', 2);
    assert.deepEqual(b.view(54, 10, 9).rows, [
      `12:00 -- ${'u'.repeat(20)} the help text wraps here`,
      `${' '.repeat(30)}and more`,
      '12:01 -- a plain line that wraps like the others do',
    ]);
    assert.deepEqual(b.view(40, 10, 9).rows, [
      `12:00 -- ${'u'.repeat(20)} the help `,
      '         text wraps here and more',
      '12:01 -- a plain line that wraps like ',
      '         the others do',
    ]);
    assert.equal(b.view(54, 10, 0).rows[1], 'and more', 'no indent in the view: no hang either');
  });

  test('lines timed by our own clock are appended whatever their time', () => {
    const b = new Buffer();
    b.add('server line', 100, { placed: true });
    b.add('local error, clock behind', 90);
    b.add('a replayed line', 50, { placed: true });
    assert.deepEqual(b.texts(), ['a replayed line', 'server line', 'local error, clock behind']);
  });

  test(`the scrollback is bounded: ${SCROLLBACK_LINES} lines, the oldest go`, () => {
    const b = filled(SCROLLBACK_LINES + 5);
    assert.equal(b.length, SCROLLBACK_LINES);
    assert.equal(b.texts()[0], '6');
    const small = new Buffer(3);
    for (const t of ['a', 'b', 'c', 'd']) small.add(t, 1);
    assert.deepEqual(small.texts(), ['b', 'c', 'd']);
  });

  test('the view shows the newest rows; a short buffer fills from the top', () => {
    assert.deepEqual(filled(10).view(20, 3).rows, ['8', '9', '10']);
    assert.deepEqual(filled(2).view(20, 5).rows, ['1', '2']);
  });

  test('scrolling goes back by rows, stops at the oldest line and comes back', () => {
    const b = filled(10);
    b.scroll(4);
    assert.deepEqual(b.view(20, 3).rows, ['4', '5', '6']);
    b.scroll(100);
    assert.deepEqual(b.view(20, 3), { rows: ['1', '2', '3'], below: 7 });
    b.scroll(-3);
    assert.deepEqual(b.view(20, 3).rows, ['4', '5', '6']);
    b.toBottom();
    assert.deepEqual(b.view(20, 3).rows, ['8', '9', '10']);
  });

  test('a scrolled view stays still while lines arrive', () => {
    const b = filled(10);
    b.scroll(3);
    assert.deepEqual(b.view(20, 2).rows, ['6', '7']);
    b.add('a long line that wraps', 11);
    b.add('12', 12);
    assert.deepEqual(b.view(20, 2).rows, ['6', '7']);
    assert.equal(b.scrolled, true);
  });

  test('the unread rule goes before the earliest unread line, until cleared', () => {
    const b = new Buffer();
    b.add('read', 1, { placed: true });
    b.add('offline message, live at login', 30, { placed: true, unread: true });
    b.add('replayed, older', 20, { placed: true, unread: true });
    b.add('ours', 25, { placed: true });
    const rows = plain(b.view(20, 10).rows);
    assert.equal(rows[0], 'read');
    assert.ok(rows[1].startsWith(UNREAD_LABEL), rows[1]);
    assert.equal(displayWidth(rows[1]), 20);
    assert.deepEqual(rows.slice(2), [
      'replayed, older',
      'ours',
      'offline message, ',
      'live at login',
    ]);
    b.clearMarker();
    assert.equal(b.marked, false);
    assert.deepEqual(plain(b.view(40, 10).rows), [
      'read',
      'replayed, older',
      'ours',
      'offline message, live at login',
    ]);
  });

  test('with a read marker, the rule goes after the last line no newer than it', () => {
    const b = new Buffer();
    b.add('read before', 10, { placed: true, unread: true, read: 20 });
    b.add('read, at the marker', 20, { placed: true, unread: true, read: 20 });
    b.add('ours, after it', 25, { placed: true, read: 20 });
    b.add('first unread', 30, { placed: true, unread: true, read: 20 });
    b.add('second unread', 40, { placed: true, unread: true, read: 20 });
    const rows = plain(b.view(40, 10).rows);
    assert.ok(rows[3].startsWith(UNREAD_LABEL), rows.join('\n'));
    assert.deepEqual(rows.slice(0, 3), ['read before', 'read, at the marker', 'ours, after it']);
    assert.deepEqual(rows.slice(4), ['first unread', 'second unread']);
    assert.equal(b.newest, 40);
  });

  test('a marker moved forward elsewhere moves the rule down, or takes it away', () => {
    const b = new Buffer();
    for (const t of [10, 20, 30]) b.add(`bob ${t}`, t, { placed: true, unread: true });
    b.readTo(15);
    const rows = plain(b.view(40, 10).rows);
    assert.deepEqual(rows.slice(0, 1), ['bob 10']);
    assert.ok(rows[1].startsWith(UNREAD_LABEL), rows.join('\n'));
    b.readTo(5); // backwards: nothing moves
    assert.ok(plain(b.view(40, 10).rows)[1].startsWith(UNREAD_LABEL));
    b.readTo(30);
    assert.equal(b.marked, false);
    b.add('older than the marker', 25, { placed: true, unread: true });
    assert.equal(b.marked, false, 'read already');
    b.add('new', 35, { placed: true, unread: true });
    assert.ok(plain(b.view(40, 10).rows).at(-2)!.startsWith(UNREAD_LABEL));
  });

  test('a resize re-wraps from the lines: nothing lost, any width', () => {
    const b = new Buffer();
    const texts = ['12:00:01 <alice> ' + 'word '.repeat(30), '12:00:02 <bob> 中文字符 👍 short'];
    for (const t of texts) b.add(t, 1);
    for (const width of [200, 80, 33, 20, 7, 120]) {
      const rows = b.view(width, 100, 9).rows;
      for (const r of rows) assert.ok(displayWidth(r) <= width);
      const joined = rows.map((r) => r.trimStart()).join('');
      for (const t of texts) assert.ok(joined.replace(/\s/g, '').includes(t.replace(/\s/g, '')));
    }
  });

  test('/find scrolls to the newest match, then older ones, highlighted', () => {
    const b = filled(50);
    b.add('\x1b[1mneedle\x1b[0m one', 51);
    for (let k = 52; k <= 80; k++) b.add(String(k), k);
    b.add('NEEDLE two', 81);
    b.view(20, 5);
    assert.equal(b.find('needle', 5), true);
    let v = b.view(20, 5);
    const hit = v.rows.find((r) => r.includes('NEEDLE two'));
    assert.ok(hit?.startsWith('\x1b[7m'), 'the match is in reverse video');
    assert.equal(b.find('needle', 5), true);
    v = b.view(20, 5);
    assert.ok(
      v.rows.some((r) => r === '\x1b[7mneedle one\x1b[0m'),
      v.rows.join('|'),
    );
    assert.ok(v.below > 20);
    assert.equal(b.find('needle', 5), false, 'nothing older');
    assert.equal(b.find('no such text', 5), false);
    b.endFind();
    assert.ok(!b.view(20, 5).rows.some((r) => r.includes('\x1b[7m')));
  });

  test('a view of any height and width never throws and never overflows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 60 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: -50, max: 50 }),
        (texts, width, height, by) => {
          const b = new Buffer();
          texts.forEach((t, k) =>
            b.add(t.replace(/[\x00-\x1f\x7f-\x9f]/g, ''), k, { unread: k % 3 === 0 }),
          );
          b.scroll(by);
          const v = b.view(width, height, 2);
          assert.ok(v.rows.length <= height);
          for (const r of v.rows) assert.ok(displayWidth(r) <= Math.max(2, width));
        },
      ),
      { numRuns: 200 },
    );
  });
});

const info = (windows: number[], over: Partial<LineInfo> = {}): LineInfo => ({
  windows,
  time: 1,
  placed: true,
  unread: true,
  history: false,
  read: null,
  ...over,
});

describe('Windows', () => {
  test('a line lands in its windows only; unread in a window that is not shown', () => {
    const w = new Windows();
    w.show(1);
    w.add('in one', info([1]));
    w.add('in two', info([2]));
    w.add('quit seen in both', info([1, 2], { unread: false }));
    assert.deepEqual(w.buffer(1).texts(), ['in one', 'quit seen in both']);
    assert.deepEqual(w.buffer(2).texts(), ['in two', 'quit seen in both']);
    assert.equal(w.buffer(1).marked, false, 'the window on screen is being read');
    assert.equal(w.buffer(2).marked, true);
  });

  test('history marks the window on screen too; leaving a window clears its rule', () => {
    const w = new Windows();
    w.show(1);
    w.add('missed', info([1], { history: true }));
    assert.equal(w.buffer(1).marked, true);
    w.show(2);
    assert.equal(w.buffer(1).marked, false);
    assert.equal(w.current, 2);
  });

  test('the read marker of a line decides in every window; readTo moves one window only', () => {
    const w = new Windows();
    w.show(1);
    w.add('read elsewhere', info([1], { history: true, time: 5, read: 10 }));
    w.add('read elsewhere too', info([2], { time: 5, read: 10 }));
    assert.equal(w.buffer(1).marked, false);
    assert.equal(w.buffer(2).marked, false);
    w.add('new', info([1, 2], { history: true, time: 20, read: 10 }));
    w.readTo(2, 20);
    assert.equal(w.buffer(1).marked, true);
    assert.equal(w.buffer(2).marked, false);
  });

  test('closed windows are forgotten; the server window stays', () => {
    const w = new Windows();
    w.add('x', info([1]));
    w.add('y', info([SERVER_WINDOW]));
    w.keep([]);
    assert.equal(w.buffer(1).length, 0);
    assert.equal(w.buffer(SERVER_WINDOW).length, 1);
  });
});

describe('windowsOf', () => {
  const ids: Record<string, number> = { '#dev': 1, '#ops': 2, dave: 3 };
  const idOf = (name: string): number | null => ids[name.toLowerCase()] ?? null;
  const cases: readonly [string, SessionEvent, number[]][] = [
    ['a channel message', { type: 'info', time: 1, text: 'x', conversation: '#DEV' }, [1]],
    [
      'a reply about a conversation with no window',
      { type: 'info', time: 1, text: 'x', conversation: 'zed' },
      [SERVER_WINDOW_ID],
    ],
    ['a join', { type: 'join', time: 1, nick: 'x', channel: '#ops', self: false }, [2]],
    [
      'a quit: each channel and the private chat',
      { type: 'quit', time: 1, nick: 'dave', reason: '', channels: ['#dev', '#ops'] },
      [1, 2, 3],
    ],
    [
      'a nick change, the private chat already renamed',
      { type: 'nick', time: 1, from: 'd', to: 'dave', self: false, channels: ['#dev'] },
      [1, 3],
    ],
    [
      'a quit seen nowhere',
      { type: 'quit', time: 1, nick: 'zed', reason: '', channels: [] },
      [SERVER_WINDOW_ID],
    ],
    ['a state change', { type: 'state', state: 'connected' }, [SERVER_WINDOW_ID]],
  ];
  for (const [name, event, expected] of cases) {
    test(name, () => assert.deepEqual(windowsOf(event, idOf), expected));
  }
});
