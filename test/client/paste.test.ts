// Tests for the paste guard: splitting pasted text at the cursor, bracketed pastes, bursts of Enters, and the y/n question.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LineEditor, type Key } from '../../src/client/ui/editor.js';
import { PASTE_BURST_MS, PasteGuard, splitPaste } from '../../src/client/ui/paste.js';

describe('splitPaste', () => {
  const cases: readonly [string, string, string, string, string[], string, number][] = [
    ['no line break: all into the line', 'ab', 'XY', 'cd', [], 'abXYcd', 4],
    ['one line break completes the line', 'ab', 'X\nY', 'cd', ['abX'], 'Ycd', 1],
    ['a trailing break leaves the rest', 'ab', 'X\n', 'cd', ['abX'], 'cd', 0],
    ['CR, LF and CR LF all break', '', 'a\rb\nc\r\nd', '', ['a', 'b', 'c'], 'd', 1],
    ['tabs expand, controls vanish', '', 'a\tb\x1b[2J\n', '', ['a    b[2J'], '', 0],
    ['blank lines are kept here', '', 'a\n\nb\n', '', ['a', '', 'b'], '', 0],
  ];
  for (const [name, before, pasted, after, lines, rest, cursor] of cases) {
    test(name, () => assert.deepEqual(splitPaste(before, pasted, after), { lines, rest, cursor }));
  }
});

const k = (name: string, sequence = name): Key => ({ name, sequence, ctrl: false, meta: false });
const bracketed = (text: string): Key[] => [
  k('paste-start', '\x1b[200~'),
  ...[...text].map((ch) => k(ch === '\r' ? 'return' : ch, ch)),
  k('paste-end', '\x1b[201~'),
];

function guard(): { g: PasteGuard; sent: string[]; notes: string[]; editor: LineEditor } {
  const sent: string[] = [];
  const notes: string[] = [];
  const g = new PasteGuard({ send: (l) => sent.push(l), notify: (t) => notes.push(t) });
  return { g, sent, notes, editor: new LineEditor() };
}

describe('PasteGuard', () => {
  test('a short bracketed paste is sent at once; the tail stays in the line', () => {
    const { g, sent, editor } = guard();
    editor.set('> ');
    for (const key of bracketed('one\rtwo\rthr')) assert.equal(g.key(key, editor), true);
    assert.deepEqual(sent, ['> one', 'two']);
    assert.equal(editor.text, 'thr');
    assert.equal(g.waiting, null);
  });

  test('more than three lines wait for y', () => {
    const { g, sent, editor } = guard();
    for (const key of bracketed('1\r2\r3\r4\r')) g.key(key, editor);
    assert.deepEqual(sent, []);
    assert.equal(g.waiting, 4);
    assert.equal(g.key(k('x'), editor), true, 'other keys are swallowed while asking');
    g.key(k('y'), editor);
    assert.deepEqual(sent, ['1', '2', '3', '4']);
    assert.equal(g.waiting, null);
    assert.equal(g.key(k('y'), editor), false, 'back to normal');
  });

  for (const no of [k('n'), k('escape', '\x1b'), { ...k('c', '\x03'), ctrl: true }]) {
    test(`${no.name}${no.ctrl ? ' with ctrl' : ''} drops the paste`, () => {
      const { g, sent, notes, editor } = guard();
      for (const key of bracketed('1\r2\r3\r4\r5\r')) g.key(key, editor);
      g.key(no, editor);
      assert.deepEqual(sent, []);
      assert.equal(g.waiting, null);
      assert.deepEqual(notes, ['Paste of 5 lines not sent']);
    });
  }

  test('blank lines do not count and are not sent', () => {
    const { g, sent, editor } = guard();
    for (const key of bracketed('1\r\r\r2\r\r3\r')) g.key(key, editor);
    assert.deepEqual(sent, ['1', '', '', '2', '', '3']);
  });

  test('Enters in a burst are one batch; a lone Enter goes out after the window', async () => {
    const { g, sent, editor } = guard();
    g.entered('typed');
    assert.deepEqual(sent, []);
    await new Promise((r) => setTimeout(r, PASTE_BURST_MS * 3));
    assert.deepEqual(sent, ['typed']);
    for (const line of ['a', 'b', 'c', 'd', 'e']) g.entered(line);
    await new Promise((r) => setTimeout(r, PASTE_BURST_MS * 3));
    assert.equal(g.waiting, 5);
    g.key(k('y'), editor);
    assert.deepEqual(sent, ['typed', 'a', 'b', 'c', 'd', 'e']);
    g.stop();
  });

  test('stop() says how many lines with text it drops: a burst not handed over, a paste awaiting y/n', async () => {
    const { g, sent } = guard();
    g.entered('one');
    g.entered('  ');
    g.entered('two');
    assert.equal(g.stop(), 2, 'the burst, blank lines not counted');
    await new Promise((r) => setTimeout(r, PASTE_BURST_MS * 3));
    assert.deepEqual(sent, [], 'dropped, not sent later');
    for (const line of ['a', 'b', 'c', 'd', 'e']) g.entered(line);
    await new Promise((r) => setTimeout(r, PASTE_BURST_MS * 3));
    assert.equal(g.waiting, 5);
    assert.equal(g.stop(), 5);
    assert.equal(g.stop(), 0, 'nothing left');
  });

  test('keys outside a paste and without a question are not the guard’s', () => {
    const { g, editor } = guard();
    assert.equal(g.key(k('a'), editor), false);
    assert.equal(g.inPaste, false);
    g.key(k('paste-start', '\x1b[200~'), editor);
    assert.equal(g.inPaste, true);
  });
});
