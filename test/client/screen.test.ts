// Tests for the renderer: input scrolling by cell width (CJK, emoji), fitting and formatting the status line, and frames drawn into a fake terminal.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import type { Status } from '../../src/client/app.js';
import { displayWidth } from '../../src/client/ui/width.js';
import { graphemeBoundaries } from '../../src/client/ui/editor.js';
import {
  PASTE_OFF,
  PASTE_ON,
  Screen,
  fitCells,
  formatStatus,
  layoutInput,
  promptFor,
  type Frame,
} from '../../src/client/ui/screen.js';

const SGR = /\x1b\[[0-9;]*m/g;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

describe('layoutInput', () => {
  const cases: readonly [string, string, number, number, number, string, number][] = [
    // name, text, cursor, width, previous offset → visible, column
    ['fits: no scrolling', 'hello', 5, 10, 0, 'hello', 5],
    ['cursor at the end of a long line', ALPHABET, 26, 10, 0, 'rstuvwxyz', 9],
    ['back to the start', ALPHABET, 0, 10, 17, 'abcdefghij', 0],
    ['left out of view re-centres', ALPHABET, 10, 10, 17, 'fghijklmno', 5],
    ['inside the view: no move', ALPHABET, 12, 10, 10, 'klmnopqrst', 2],
    ['CJK: 2 cells each', '中文字符中文字符中文', 10, 9, 0, '字符中文', 8],
    ['a wide char that does not fit at the edge is left out', 'a中文字', 0, 4, 0, 'a中', 0],
    ['emoji: 2 cells, 2 code units', '👍👍👍👍👍', 10, 6, 0, '👍👍', 4],
    ['ZWJ sequence counted once', 'ab👨‍👩‍👧cd', 0, 10, 0, 'ab👨‍👩‍👧cd', 0],
    ['mixed: the cursor would sit past the edge', 'ab中文👍cd中文', 4, 6, 0, '文👍cd', 2],
  ];
  for (const [name, text, cursor, width, offset, visible, column] of cases) {
    test(name, () => {
      const lay = layoutInput(text, cursor, width, offset);
      assert.equal(lay.visible, visible);
      assert.equal(lay.column, column);
      assert.equal(text.slice(lay.offset, lay.offset + visible.length), visible);
    });
  }

  test('properties: the cursor is always visible and the text never overflows', () => {
    const char = fc.constantFrom('a', 'b', ' ', '中', '文', '👍', '🇫🇷', 'e\u0301', 'ｆ');
    fc.assert(
      fc.property(
        fc.array(char, { maxLength: 60 }),
        fc.nat(),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(),
        (chars, c, width, prev) => {
          const text = chars.join('');
          const b = graphemeBoundaries(text);
          const cursor = b[c % b.length];
          const lay = layoutInput(text, cursor, width, prev % (text.length + 1));
          assert.ok(displayWidth(lay.visible) <= width, 'overflow');
          assert.ok(lay.offset <= cursor, 'cursor left of the view');
          assert.equal(lay.column, displayWidth(text.slice(lay.offset, cursor)));
          assert.ok(lay.column <= Math.max(0, width - 1), 'cursor right of the view');
          assert.ok(text.startsWith(lay.visible, lay.offset));
          if (displayWidth(text) + 1 <= width) assert.equal(lay.visible, text);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('fitCells', () => {
  const cases: readonly [string, string, number, string][] = [
    ['fits', 'hello', 5, 'hello'],
    ['cut with an ellipsis', 'hello world', 6, 'hello…'],
    ['CJK: never half a character', '中文字符', 6, '中文…'],
    ['CJK: odd room', '中文字符', 5, '中文…'],
    ['emoji', 'a👍👍👍', 4, 'a👍…'],
    ['zero room', 'abc', 0, ''],
    ['SGR takes no room', '\x1b[1mbold\x1b[0m', 4, '\x1b[1mbold\x1b[0m'],
    [
      'a cut coloured line ends with a reset',
      '\x1b[7m status line \x1b[0m',
      8,
      '\x1b[7m status…\x1b[0m',
    ],
  ];
  for (const [name, s, width, expected] of cases) {
    test(name, () => {
      const out = fitCells(s, width);
      assert.equal(out, expected);
      assert.ok(displayWidth(out) <= width);
    });
  }
});

const status = (over: Partial<Status> = {}): Status => ({
  state: 'connected',
  nick: 'carol',
  current: '#lobby',
  others: [],
  lagMs: null,
  retryInS: null,
  away: false,
  ...over,
});

let ids = 0;
const conv = (name: string, unread: number, highlight = false) => ({
  id: ++ids,
  name,
  unread,
  highlight,
});

describe('formatStatus', () => {
  const cases: readonly [string, Status, string | null, string][] = [
    ['connected', status(), null, '#lobby | carol | connected'],
    ['with lag', status({ lagMs: 12.4 }), null, '#lobby | carol | connected | lag 12ms'],
    ['slow lag', status({ lagMs: 2345 }), null, '#lobby | carol | connected | lag 2.3s'],
    ['connecting', status({ state: 'connecting' }), null, '#lobby | carol | connecting…'],
    ['idle', status({ state: 'idle' }), null, '#lobby | carol | connecting…'],
    ['registering', status({ state: 'registering' }), null, '#lobby | carol | registering…'],
    [
      'reconnect countdown (no lag shown)',
      status({ state: 'reconnecting', retryInS: 7, lagMs: 5 }),
      null,
      '#lobby | carol | disconnected — reconnecting in 7s',
    ],
    ['disconnected', status({ state: 'disconnected' }), null, '#lobby | carol | disconnected'],
    ['away', status({ away: true }), null, '#lobby | carol (away) | connected'],
    ['no conversation', status({ current: null }), null, '(no conversation) | carol | connected'],
    [
      'unread counts, * for highlights, quiet ones left out',
      status({ others: [conv('#dev', 3), conv('#quiet', 0), conv('bob', 1, true)] }),
      null,
      '#lobby | carol | connected | [#dev 3] [bob 1*]',
    ],
    [
      'a notice replaces the fields',
      status(),
      'Send 12 lines to #lobby? (y/n)',
      'Send 12 lines to #lobby? (y/n)',
    ],
    [
      'remote names lose their controls',
      status({ current: '#a\x1b[2Jb', others: [conv('e\x1bvil', 1)] }),
      null,
      '#a[2Jb | carol | connected | [evil 1]',
    ],
  ];
  for (const [name, st, notice, expected] of cases) {
    test(name, () => assert.equal(formatStatus(st, { color: false, notice }), expected));
  }

  test('colour: reverse video, state in colour, highlight bold magenta, closed with a reset', () => {
    const out = formatStatus(status({ others: [conv('bob', 1, true)] }), { color: true });
    assert.ok(out.startsWith('\x1b[7m'));
    assert.ok(out.endsWith('\x1b[0m'));
    assert.match(out, /\x1b\[0;7;32mconnected/);
    assert.match(out, /\x1b\[0;7;1;35m\[bob 1\*\]/);
    assert.equal(out.replace(SGR, ''), ' #lobby | carol | connected | [bob 1*] ');
  });
});

/** A tiny terminal: printable text, CR, LF (scrolling into `scrollback`), CUP, CUU, CUF, ED. */
class FakeTerminal extends Writable {
  grid: string[][];
  scrollback: string[] = [];
  row = 0;
  col = 0;
  raw = '';

  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super({ decodeStrings: false });
    this.grid = Array.from({ length: rows }, () => this.blank());
  }

  override _write(chunk: string, _enc: BufferEncoding, done: () => void): void {
    this.raw += chunk;
    const token = /\x1b\[\??[0-9;]*[A-Za-z]|\r|\n|\x07|[^\x1b\r\n\x07]/gu;
    for (const t of this.split(chunk, token)) this.apply(t);
    done();
  }

  /** What the rows show, trailing blanks trimmed. */
  lines(): string[] {
    return this.grid.map((r) => r.join('').trimEnd());
  }

  private blank(): string[] {
    return Array.from({ length: this.columns }, () => ' ');
  }

  private split(chunk: string, token: RegExp): string[] {
    // Graphemes, not code points, so a ZWJ emoji or a flag lands in one cell pair.
    const out: string[] = [];
    for (const m of chunk.matchAll(token)) {
      const last = out.at(-1);
      const printable = (s: string): boolean => !/[\x00-\x1f]/.test(s);
      const joins = last !== undefined && printable(last) && printable(m[0]);
      if (joins && graphemeBoundaries(last + m[0]).length === 2) out[out.length - 1] += m[0];
      else out.push(m[0]);
    }
    return out;
  }

  private apply(t: string): void {
    const csi = /^\x1b\[(\??)([0-9;]*)([A-Za-z])$/.exec(t);
    if (csi) {
      const [a = 1, b = 1] = csi[2].split(';').map((n) => (n === '' ? 1 : Number(n)));
      if (csi[3] === 'H') [this.row, this.col] = [a - 1, b - 1];
      else if (csi[3] === 'A') this.row = Math.max(0, this.row - a);
      else if (csi[3] === 'C') this.col = Math.min(this.columns - 1, this.col + a);
      else if (csi[3] === 'J') {
        this.grid[this.row].fill(' ', this.col);
        for (let r = this.row + 1; r < this.rows; r++) this.grid[r] = this.blank();
      }
      return;
    }
    if (t === '\r') this.col = 0;
    else if (t === '\n') this.lineFeed();
    else if (t !== '\x07') {
      const w = displayWidth(t);
      if (this.col + w > this.columns) {
        this.col = 0;
        this.lineFeed();
      }
      this.grid[this.row][this.col] = t;
      if (w === 2) this.grid[this.row][this.col + 1] = '';
      this.col += w;
    }
  }

  private lineFeed(): void {
    if (this.row < this.rows - 1) {
      this.row++;
      return;
    }
    this.scrollback.push((this.grid.shift() ?? []).join('').trimEnd());
    this.grid.push(this.blank());
  }
}

const frame = (over: Partial<Frame> = {}): Frame => ({
  status: '#lobby | carol | connected',
  prompt: '[#lobby] ',
  text: '',
  cursor: 0,
  ...over,
});

describe('Screen in a 40x6 terminal', () => {
  test('start: a line feed, then bracketed paste on; stop: rows erased, paste off, cursor shown', () => {
    const term = new FakeTerminal(40, 6);
    const screen = new Screen(term);
    screen.start();
    assert.equal(term.raw, '\r\n' + PASTE_ON);
    screen.stop();
    assert.ok(term.raw.endsWith(`\x1b[5;1H\x1b[J\x1b[0m${PASTE_OFF}\x1b[?25h`));
  });

  test('one frame: status on row H-1, input on row H, cursor after the typed text', () => {
    const term = new FakeTerminal(40, 6);
    new Screen(term).render(frame({ text: 'hello wor', cursor: 9 }));
    assert.equal(
      term.raw,
      '\x1b[?25l\x1b[5;1H\x1b[J#lobby | carol | connected\r\n[#lobby] hello wor\r\x1b[18C\x1b[?25h',
    );
    assert.deepEqual(term.lines().slice(4), ['#lobby | carol | connected', '[#lobby] hello wor']);
    assert.deepEqual([term.row, term.col], [5, 18]);
  });

  test('messages go above, scroll into the scrollback, and leave the input intact', () => {
    const term = new FakeTerminal(40, 6);
    const screen = new Screen(term);
    const f = frame({ text: 'hello wor', cursor: 9 });
    screen.render(f);
    for (let k = 1; k <= 6; k++) screen.render(f, [`12:00:0${k} <dave> line ${k}`]);
    assert.deepEqual(term.scrollback.slice(-2), [
      '12:00:01 <dave> line 1',
      '12:00:02 <dave> line 2',
    ]);
    assert.deepEqual(term.lines(), [
      '12:00:03 <dave> line 3',
      '12:00:04 <dave> line 4',
      '12:00:05 <dave> line 5',
      '12:00:06 <dave> line 6',
      '#lobby | carol | connected',
      '[#lobby] hello wor',
    ]);
    assert.deepEqual([term.row, term.col], [5, 18]);
  });

  test('a message wider than the terminal wraps above the status line', () => {
    const term = new FakeTerminal(40, 6);
    new Screen(term).render(frame(), ['x'.repeat(50)]);
    assert.deepEqual(term.lines().slice(2), [
      'x'.repeat(40),
      'x'.repeat(10),
      '#lobby | carol | connected',
      '[#lobby]',
    ]);
  });

  test('the status line is cut to width - 1 cells', () => {
    const term = new FakeTerminal(40, 6);
    const long = '#lobby | carol | connected | [#dev 3] [bob 1*] [alice 7]';
    new Screen(term).render(frame({ status: long }));
    assert.equal(term.lines()[4], '#lobby | carol | connected | [#dev 3] …');
    assert.equal(displayWidth(term.lines()[4]), 39);
  });

  test('a long CJK/emoji line scrolls sideways by cells; the cursor stays in view', () => {
    const term = new FakeTerminal(40, 6);
    const screen = new Screen(term);
    const text = '中文👍'.repeat(10); // 60 cells
    screen.render(frame({ text, cursor: text.length }));
    const input = term.lines()[5];
    assert.ok(input.startsWith('[#lobby] '));
    assert.ok(input.endsWith('中文👍'));
    assert.ok(displayWidth(input) <= 39, input);
    assert.equal(term.col, displayWidth(input));
    screen.render(frame({ text, cursor: 0 }));
    assert.equal(term.lines()[5], '[#lobby] ' + '中文👍'.repeat(5));
    assert.equal(term.col, 9);
  });

  test('after a resize the old rows are erased where the cursor says they are', () => {
    const term = new FakeTerminal(40, 6);
    const screen = new Screen(term);
    screen.render(frame({ text: 'x'.repeat(25), cursor: 25 })); // cursor at cell 34
    term.raw = '';
    screen.resized();
    screen.render(frame());
    // At 40 columns: the cursor's row is the input's first; the status (26 cells) is one row up.
    assert.ok(
      term.raw.startsWith('\x1b[?25l\r\x1b[1A\x1b[J\x1b[5;1H\x1b[J'),
      JSON.stringify(term.raw),
    );
  });

  test('prompts longer than a third of the width are cut', () => {
    const term = new FakeTerminal(40, 6);
    new Screen(term).render(
      frame({ prompt: '[#a-very-long-channel-name] ', text: 'hi', cursor: 2 }),
    );
    assert.equal(term.lines()[5], '[#a-very-lon…hi');
  });

  test('a question (a password: nothing typed is drawn) may use the row but its last column', () => {
    const term = new FakeTerminal(40, 6);
    const prompt = 'Password for the new account (not shown): ';
    new Screen(term).render(frame({ prompt, text: '', cursor: 0, question: true }));
    assert.equal(term.lines()[5], 'Password for the new account (not show…');
    new Screen(term).render(frame({ prompt: 'Password: ', question: true }));
    assert.equal(term.lines()[5], 'Password:');
  });
});

describe('promptFor', () => {
  const cases: readonly [string | null, number, string][] = [
    ['#lobby', 80, '[#lobby] '],
    [null, 80, '> '],
    ['#a-very-long-channel-name', 40, '[#a-very-l…] '],
    ['\x1b]0;pwned\x07dave', 80, '[]0;pwneddave] '],
  ];
  for (const [current, cols, expected] of cases) {
    test(`${JSON.stringify(current)} in ${cols} columns`, () => {
      const p = promptFor(current, cols);
      assert.equal(p, expected);
      assert.ok(displayWidth(p) <= Math.floor(cols / 3));
    });
  }
});
