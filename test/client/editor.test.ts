// Table-driven tests for the pure line editor: every key, kill/yank, history with the draft, Tab completion, wide characters.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LineEditor, type EditResult, type Key } from '../../src/client/ui/editor.js';

const key = (name: string, mods: Partial<Key> = {}): Key => ({
  name,
  sequence: '',
  ctrl: false,
  meta: false,
  shift: false,
  ...mods,
});
const ctrl = (name: string): Key => key(name, { ctrl: true });
const meta = (name: string): Key => key(name, { meta: true });
/** Typed text: one keypress per code point, as readline.emitKeypressEvents delivers it. */
const typed = (text: string): Key[] =>
  [...text].map((ch) => ({
    name: /^[a-z0-9]$/i.test(ch) ? ch.toLowerCase() : ch === ' ' ? 'space' : undefined,
    sequence: ch,
    ctrl: false,
    meta: false,
    shift: /^[A-Z]$/.test(ch),
  }));

/** "ab|c" → text "abc", cursor 2. */
function parse(marked: string): [string, number] {
  const at = marked.indexOf('|');
  assert.ok(at >= 0, `no cursor in ${marked}`);
  return [marked.slice(0, at) + marked.slice(at + 1), at];
}

const show = (e: LineEditor): string => e.text.slice(0, e.cursor) + '|' + e.text.slice(e.cursor);

function editor(marked: string, complete?: (w: string) => string[]): LineEditor {
  const e = new LineEditor({ complete });
  const [text, cursor] = parse(marked);
  e.set(text, cursor);
  return e;
}

function pressAll(e: LineEditor, keys: readonly (Key | Key[])[]): EditResult {
  let last: EditResult = { kind: 'same' };
  for (const k of keys.flat()) last = e.press(k);
  return last;
}

type Case = readonly [name: string, before: string, keys: readonly (Key | Key[])[], after: string];

const EDITING: readonly Case[] = [
  ['typing inserts at the cursor', 'ab|', [typed('cd')], 'abcd|'],
  ['typing in the middle', 'a|d', [typed('bc')], 'abc|d'],
  ['space', 'a|', [typed(' ')], 'a |'],
  ['backspace', 'abc|', [key('backspace')], 'ab|'],
  ['backspace at the start does nothing', '|abc', [key('backspace')], '|abc'],
  ['ctrl-h is backspace', 'abc|', [ctrl('h')], 'ab|'],
  ['delete', 'a|bc', [key('delete')], 'a|c'],
  ['delete at the end does nothing', 'abc|', [key('delete')], 'abc|'],
  ['ctrl-d deletes forward on a non-empty line', 'a|bc', [ctrl('d')], 'a|c'],
  ['left', 'abc|', [key('left')], 'ab|c'],
  ['left at the start', '|abc', [key('left')], '|abc'],
  ['right', 'a|bc', [key('right')], 'ab|c'],
  ['right at the end', 'abc|', [key('right')], 'abc|'],
  ['ctrl-b / ctrl-f', 'ab|c', [ctrl('b'), ctrl('b'), ctrl('f')], 'a|bc'],
  ['home', 'ab|c', [key('home')], '|abc'],
  ['end', 'a|bc', [key('end')], 'abc|'],
  ['ctrl-a', 'ab|c', [ctrl('a')], '|abc'],
  ['ctrl-e', 'a|bc', [ctrl('e')], 'abc|'],
  ['ctrl-k kills to the end', 'ab|cd', [ctrl('k')], 'ab|'],
  ['ctrl-u kills to the start', 'ab|cd', [ctrl('u')], '|cd'],
  ['ctrl-w kills the word before', 'say hello wor|ld', [ctrl('w')], 'say hello |ld'],
  ['ctrl-w skips blanks first', 'say hello  |', [ctrl('w')], 'say |'],
  ['ctrl-w at the start', '|abc', [ctrl('w')], '|abc'],
  ['alt-backspace kills the word before', 'one two|', [meta('backspace')], 'one |'],
  ['alt-d kills the word after', 'one| two three', [meta('d')], 'one| three'],
  ['ctrl-y yanks the last kill', 'ab|cd', [ctrl('k'), ctrl('a'), ctrl('y')], 'cd|ab'],
  ['ctrl-y with nothing killed', 'ab|', [ctrl('y')], 'ab|'],
  ['alt-b to the word start', 'one two thr|ee', [meta('b')], 'one two |three'],
  ['alt-b twice', 'one two thr|ee', [meta('b'), meta('b')], 'one |two three'],
  ['alt-b over blanks', 'one two   |', [meta('b')], 'one |two   '],
  ['alt-f to the word end', 'o|ne two', [meta('f')], 'one| two'],
  ['alt-f twice', 'o|ne two three', [meta('f'), meta('f')], 'one two| three'],
  ['ctrl-left', 'one two|', [key('left', { ctrl: true })], 'one |two'],
  ['ctrl-right', '|one two', [key('right', { ctrl: true })], 'one| two'],
  ['alt-left / alt-right', 'one two|', [meta('left'), meta('left'), meta('right')], 'one| two'],
  ['unknown escape sequences are not inserted', 'a|', [key('f5', { sequence: '\x1b[15~' })], 'a|'],
  ['control characters are not inserted', 'a|', [key('', { sequence: '\x07' })], 'a|'],
];

const WIDE: readonly Case[] = [
  ['left over a CJK character', '中文|', [key('left')], '中|文'],
  ['left over an emoji (surrogate pair)', 'a👍|', [key('left')], 'a|👍'],
  ['backspace removes a whole emoji', 'a👍|', [key('backspace')], 'a|'],
  ['delete removes a whole emoji', 'a|👍b', [key('delete')], 'a|b'],
  ['a ZWJ family is one step', 'x👨‍👩‍👧|', [key('left')], 'x|👨‍👩‍👧'],
  ['a flag is one step', '🇫🇷|', [key('backspace')], '|'],
  ['base + combining mark is one step', 'e\u0301|', [key('left')], '|e\u0301'],
  ['right over an emoji', '|👍a', [key('right')], '👍|a'],
  ['typing after CJK', '中|', [typed('文')], '中文|'],
  ['alt-b over CJK words', '你好 世界|', [meta('b')], '你好 |世界'],
];

describe('editing keys', () => {
  for (const [name, before, keys, after] of [...EDITING, ...WIDE]) {
    test(name, () => {
      const e = editor(before);
      pressAll(e, keys);
      assert.equal(show(e), after);
    });
  }
});

describe('results', () => {
  const cases: readonly [string, string, Key, EditResult][] = [
    ['enter submits the whole line', 'he|llo', key('return'), { kind: 'submit', line: 'hello' }],
    ['\\n (enter) submits too', 'hi|', key('enter'), { kind: 'submit', line: 'hi' }],
    ['ctrl-d on an empty line is eof', '|', ctrl('d'), { kind: 'eof' }],
    ['a change', 'a|', key('backspace'), { kind: 'changed' }],
    ['no change', '|a', key('backspace'), { kind: 'same' }],
    ['ctrl-c is the caller’s', 'a|', ctrl('c'), { kind: 'unhandled' }],
    ['ctrl-n is the caller’s', 'a|', ctrl('n'), { kind: 'unhandled' }],
    ['alt-1 is the caller’s', 'a|', meta('1'), { kind: 'unhandled' }],
    ['escape is the caller’s', 'a|', key('escape', { sequence: '\x1b' }), { kind: 'unhandled' }],
  ];
  for (const [name, before, k, expected] of cases) {
    test(name, () => assert.deepEqual(editor(before).press(k), expected));
  }

  test('enter empties the line', () => {
    const e = editor('hello|');
    e.press(key('return'));
    assert.equal(show(e), '|');
  });
});

describe('column: terminal cells before the cursor', () => {
  const cases: readonly [string, number][] = [
    ['|', 0],
    ['abc|', 3],
    ['中文|', 4],
    ['中|文', 2],
    ['a👍|', 3],
    ['👨‍👩‍👧|', 2],
    ['e\u0301|x', 1],
    ['ｆｕｌｌ|', 8],
  ];
  for (const [marked, column] of cases) {
    test(JSON.stringify(marked), () => assert.equal(editor(marked).column, column));
  }
});

describe('insert (pastes)', () => {
  test('tabs become spaces, other controls vanish', () => {
    const e = editor('|');
    e.insert('a\tb\x1b[31mc\x07');
    assert.equal(show(e), 'a b[31mc|');
  });
  test('clear keeps the line for ctrl-y', () => {
    const e = editor('draft|');
    e.clear();
    assert.equal(show(e), '|');
    e.press(ctrl('y'));
    assert.equal(show(e), 'draft|');
  });
});

describe('history', () => {
  const submitted = (...lines: string[]): LineEditor => {
    const e = new LineEditor();
    for (const l of lines) {
      e.set(l);
      e.press(key('return'));
    }
    return e;
  };
  const steps: readonly [string, string[], (Key | Key[])[], string][] = [
    ['up recalls the last line', ['one', 'two'], [key('up')], 'two|'],
    ['up twice', ['one', 'two'], [key('up'), key('up')], 'one|'],
    ['up stops at the oldest', ['one', 'two'], [key('up'), key('up'), key('up')], 'one|'],
    ['down comes back', ['one', 'two'], [key('up'), key('up'), key('down')], 'two|'],
    ['the draft is kept', ['one'], [typed('dra'), key('up'), key('down')], 'dra|'],
    ['down past the draft does nothing', ['one'], [typed('x'), key('down')], 'x|'],
    ['no history', [], [key('up')], '|'],
    ['blank lines are not remembered', ['one', '  '], [key('up')], 'one|'],
    ['repeats are remembered once', ['one', 'two', 'two'], [key('up'), key('up')], 'one|'],
    [
      'edited recall is sent as edited',
      ['one'],
      [key('up'), typed('!'), key('return'), key('up')],
      'one!|',
    ],
  ];
  for (const [name, lines, keys, after] of steps) {
    test(name, () => {
      const e = submitted(...lines);
      pressAll(e, keys);
      assert.equal(show(e), after);
    });
  }

  test('history keeps historySize entries', () => {
    const e = new LineEditor({ historySize: 2 });
    for (const l of ['a', 'b', 'c']) {
      e.set(l);
      e.press(key('return'));
    }
    pressAll(e, [key('up'), key('up'), key('up')]);
    assert.equal(show(e), 'b|');
  });
});

describe('Tab completion', () => {
  const NICKS = ['dave', 'dana', 'dan'];
  const complete = (word: string): string[] => {
    if (word.startsWith('/')) return ['/join', '/quit'].filter((c) => c.startsWith(word));
    if (word.startsWith('#')) return ['#dev', '#design'].filter((c) => c.startsWith(word));
    return NICKS.filter((n) => n.startsWith(word.toLowerCase()));
  };
  const tab = key('tab', { sequence: '\t' });
  const shiftTab = key('tab', { shift: true });
  const cases: readonly Case[] = [
    ['a nick at the start gets ": "', 'da|', [tab], 'dave: |'],
    ['Tab again cycles', 'da|', [tab, tab], 'dana: |'],
    ['cycling wraps around', 'da|', [tab, tab, tab, tab], 'dave: |'],
    ['shift-tab goes backwards', 'da|', [tab, shiftTab], 'dan: |'],
    ['shift-tab first takes the last', 'da|', [shiftTab], 'dan: |'],
    ['a nick mid-line gets " "', 'hi da|', [tab], 'hi dave |'],
    ['mid-line cycling', 'hi da|', [tab, tab], 'hi dana |'],
    ['completion before more text', 'da| there', [tab], 'dave: | there'],
    ['leading blanks still count as the start', '  da|', [tab], '  dave: |'],
    ['a command gets " "', '/jo|', [tab], '/join |'],
    ['no command completion mid-line', 'see /jo|', [tab], 'see /jo|'],
    ['a channel at the start gets " "', '#de|', [tab], '#dev |'],
    ['a channel after a command', '/join #des|', [tab], '/join #design |'],
    ['@nick keeps the @ and gets " "', '@da|', [tab], '@dave |'],
    ['@a,b completes the last name', '@bob,da|', [tab], '@bob,dave |'],
    ['no candidates: nothing happens', 'zz|', [tab], 'zz|'],
    ['another key ends the cycle', 'da|', [tab, typed('x'), tab], 'dave: x|'],
    ['a new word starts a new cycle', 'da|', [tab, typed('hi da'), tab], 'dave: hi dave |'],
    ['an empty word offers everyone', '|', [tab], 'dave: |'],
  ];
  for (const [name, before, keys, after] of cases) {
    test(name, () => {
      const e = editor(before, complete);
      pressAll(e, keys);
      assert.equal(show(e), after);
    });
  }

  test('isChannel decides what counts as a channel', () => {
    const e = new LineEditor({ complete: () => ['!chan'], isChannel: (n) => n.startsWith('!') });
    e.set('!c');
    e.press(tab);
    assert.equal(show(e), '!chan |');
  });

  test('the completer is asked for the word without its @ and list', () => {
    const asked: string[] = [];
    const e = new LineEditor({ complete: (w) => (asked.push(w), []) });
    e.set('@bob,ca');
    e.press(tab);
    e.set('hello wo');
    e.press(tab);
    assert.deepEqual(asked, ['ca', 'wo']);
  });
});
