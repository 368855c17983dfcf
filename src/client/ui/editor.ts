// The input line as a pure state machine: text + cursor, editing keys, kill/yank, history, Tab completion. No I/O.
//
// Keys arrive as Node's keypress objects (readline.emitKeypressEvents); `press` answers what the
// caller should do next. The cursor is a UTF-16 offset that always sits on a grapheme boundary, so
// Left/Backspace step over a whole emoji, CJK character or base + combining marks.
//
//   typing, editing keys ──► 'changed' (redraw) | 'same'
//   Enter                ──► { submit: line }   (remembered in history unless blank or a repeat)
//   Ctrl-D on empty line ──► 'eof'
//   anything else        ──► 'unhandled'        (the caller's keys: Ctrl-C, Ctrl-N/P, Alt-1..9...)
//
// Keys: Left/Ctrl-B, Right/Ctrl-F, Home/Ctrl-A, End/Ctrl-E, Ctrl-Left/Alt-B and Ctrl-Right/Alt-F
// (words = runs of non-blanks), Backspace, Delete, Ctrl-D, Ctrl-K (kill to end), Ctrl-U (kill to
// start), Ctrl-W and Alt-Backspace (kill word back), Alt-D (kill word forward), Ctrl-Y (yank the
// last kill), Up/Down (history; the unsent draft comes back below the newest entry), Tab and
// Shift-Tab (cycle through completions).
import { stripControls } from '../../protocol/sanitize.js';
import { displayWidth } from './width.js';

/** A keypress as readline.emitKeypressEvents describes it. */
export interface Key {
  name?: string;
  sequence?: string;
  ctrl?: boolean;
  meta?: boolean;
  shift?: boolean;
}

/** Candidates for the word before the cursor, best first (e.g. ChatController.completions). */
export type Completer = (word: string) => readonly string[];

export interface EditorOptions {
  complete?: Completer;
  /** Channels get no ": " after them at the start of a line. Default: starts with # or &. */
  isChannel?: (name: string) => boolean;
  /** Entries kept for Up/Down. Default 500. */
  historySize?: number;
}

export type EditResult =
  | { kind: 'changed' }
  | { kind: 'same' }
  | { kind: 'submit'; line: string }
  | { kind: 'eof' }
  | { kind: 'unhandled' };

const CHANGED: EditResult = { kind: 'changed' };
const SAME: EditResult = { kind: 'same' };
const UNHANDLED: EditResult = { kind: 'unhandled' };

/** Nick completion at the start of a line addresses the person, irssi-style. */
export const NICK_SUFFIX = ': ';

interface Completion {
  /** Where the replaced text starts, and the text kept before the candidate ("@", "@bob,"). */
  start: number;
  lead: string;
  candidates: readonly string[];
  index: number;
  atLineStart: boolean;
  /** End of the text this completion inserted (where the cursor is). */
  end: number;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Offsets of every grapheme boundary in `text`, 0 and text.length included. */
export function graphemeBoundaries(text: string): number[] {
  const out: number[] = [];
  for (const s of segmenter.segment(text)) out.push(s.index);
  out.push(text.length);
  return out;
}

/** The last boundary of `text` satisfying `ok` (0 when none does). */
function lastBoundary(text: string, ok: (b: number) => boolean): number {
  const all = graphemeBoundaries(text);
  for (let k = all.length - 1; k >= 0; k--) if (ok(all[k])) return all[k];
  return 0;
}

const BLANK = /\s/;

export class LineEditor {
  private textValue = '';
  private cursorValue = 0;
  private readonly history: string[] = [];
  /** Position in history while browsing; history.length means the draft. */
  private historyPos = 0;
  private draft = '';
  private killed = '';
  private completion: Completion | null = null;
  private readonly complete: Completer;
  private readonly isChannel: (name: string) => boolean;
  private readonly historySize: number;

  constructor(opts: EditorOptions = {}) {
    this.complete = opts.complete ?? (() => []);
    this.isChannel = opts.isChannel ?? ((name) => /^[#&]/.test(name));
    this.historySize = opts.historySize ?? 500;
  }

  get text(): string {
    return this.textValue;
  }

  /** UTF-16 offset of the cursor in `text`. */
  get cursor(): number {
    return this.cursorValue;
  }

  /** Terminal cells before the cursor (wide characters count 2). */
  get column(): number {
    return displayWidth(this.textValue.slice(0, this.cursorValue));
  }

  /** Replace the whole line; the cursor goes to the end (or to `cursor`). */
  set(text: string, cursor = text.length): void {
    this.textValue = text;
    this.cursorValue = this.snap(Math.max(0, Math.min(cursor, text.length)));
    this.completion = null;
  }

  /** Empty the line; it can be yanked back with Ctrl-Y. */
  clear(): void {
    if (this.textValue !== '') this.killed = this.textValue;
    this.set('');
    this.historyPos = this.history.length;
  }

  /** Insert typed or pasted text at the cursor: tabs become spaces, other controls are dropped. */
  insert(s: string): boolean {
    const clean = stripControls(s.replace(/\t/g, ' '));
    if (clean === '') return false;
    const t = this.textValue;
    this.textValue = t.slice(0, this.cursorValue) + clean + t.slice(this.cursorValue);
    this.cursorValue = this.snap(this.cursorValue + clean.length);
    return true;
  }

  /** Handle one keypress. */
  press(key: Key): EditResult {
    const tab = key.name === 'tab' && !key.ctrl && !key.meta;
    if (!tab) this.completion = null;
    if (tab) return this.tab(key.shift === true ? -1 : 1);
    const name = key.name ?? '';
    if (key.ctrl && !key.meta) return this.ctrlKey(name);
    if (key.meta && !key.ctrl) return this.metaKey(name);
    switch (name) {
      case 'return':
      case 'enter':
        return this.submit();
      case 'backspace':
        return this.remove(this.prev(this.cursorValue), this.cursorValue);
      case 'delete':
        return this.remove(this.cursorValue, this.next(this.cursorValue));
      case 'left':
        return this.move(this.prev(this.cursorValue));
      case 'right':
        return this.move(this.next(this.cursorValue));
      case 'home':
        return this.move(0);
      case 'end':
        return this.move(this.textValue.length);
      case 'up':
        return this.browse(-1);
      case 'down':
        return this.browse(1);
    }
    const seq = key.sequence ?? '';
    if (seq !== '' && stripControls(seq) === seq) return this.insert(seq) ? CHANGED : SAME;
    return UNHANDLED;
  }

  private ctrlKey(name: string): EditResult {
    const c = this.cursorValue;
    const end = this.textValue.length;
    switch (name) {
      case 'a':
        return this.move(0);
      case 'e':
        return this.move(end);
      case 'b':
        return this.move(this.prev(c));
      case 'f':
        return this.move(this.next(c));
      case 'left':
        return this.move(this.wordStart(c));
      case 'right':
        return this.move(this.wordEnd(c));
      case 'h':
        return this.remove(this.prev(c), c);
      case 'd':
        return end === 0 ? { kind: 'eof' } : this.remove(c, this.next(c));
      case 'k':
        return this.kill(c, end);
      case 'u':
        return this.kill(0, c);
      case 'w':
        return this.kill(this.wordStart(c), c);
      case 'y':
        return this.insert(this.killed) ? CHANGED : SAME;
      default:
        return UNHANDLED;
    }
  }

  private metaKey(name: string): EditResult {
    const c = this.cursorValue;
    switch (name) {
      case 'b':
      case 'left':
        return this.move(this.wordStart(c));
      case 'f':
      case 'right':
        return this.move(this.wordEnd(c));
      case 'backspace':
        return this.kill(this.wordStart(c), c);
      case 'd':
        return this.kill(c, this.wordEnd(c));
      default:
        return UNHANDLED;
    }
  }

  private submit(): EditResult {
    const line = this.textValue;
    if (line.trim() !== '' && this.history.at(-1) !== line) {
      this.history.push(line);
      if (this.history.length > this.historySize) this.history.shift();
    }
    this.historyPos = this.history.length;
    this.draft = '';
    this.set('');
    return { kind: 'submit', line };
  }

  private browse(delta: -1 | 1): EditResult {
    const pos = this.historyPos + delta;
    if (pos < 0 || pos > this.history.length) return SAME;
    if (this.historyPos === this.history.length) this.draft = this.textValue;
    this.historyPos = pos;
    this.set(pos === this.history.length ? this.draft : this.history[pos]);
    return CHANGED;
  }

  private tab(direction: -1 | 1): EditResult {
    let c = this.completion;
    if (c === null || c.end !== this.cursorValue) {
      const start = this.wordStart(this.cursorValue, true);
      const word = this.textValue.slice(start, this.cursorValue);
      const lead = /^@(?:[^,]*,)*/.exec(word)?.[0] ?? '';
      const atLineStart = this.textValue.slice(0, start).trim() === '';
      // "/" only starts a command at the start of a line; elsewhere it is just text.
      if (word.startsWith('/') && !atLineStart) return SAME;
      const candidates = this.complete(word.slice(lead.length));
      if (candidates.length === 0) return SAME;
      c = { start, lead, candidates, index: -1, atLineStart, end: this.cursorValue };
      if (direction < 0) c.index = 0;
    }
    const n = c.candidates.length;
    c.index = (c.index + direction + n) % n;
    const candidate = c.candidates[c.index];
    const inserted = c.lead + candidate + this.suffix(candidate, c);
    const t = this.textValue;
    this.textValue = t.slice(0, c.start) + inserted + t.slice(c.end);
    this.cursorValue = c.start + inserted.length;
    c.end = this.cursorValue;
    this.completion = c;
    return CHANGED;
  }

  /** ": " after a nick that starts the line, " " after anything else. */
  private suffix(candidate: string, c: Completion): string {
    const nick = c.lead === '' && !candidate.startsWith('/') && !this.isChannel(candidate);
    return nick && c.atLineStart ? NICK_SUFFIX : ' ';
  }

  private move(to: number): EditResult {
    if (to === this.cursorValue) return SAME;
    this.cursorValue = to;
    return CHANGED;
  }

  private remove(from: number, to: number): EditResult {
    if (from >= to) return SAME;
    const t = this.textValue;
    this.textValue = t.slice(0, from) + t.slice(to);
    this.cursorValue = from;
    return CHANGED;
  }

  private kill(from: number, to: number): EditResult {
    if (from >= to) return SAME;
    this.killed = this.textValue.slice(from, to);
    return this.remove(from, to);
  }

  /** Start of the word before `at` (skipping blanks first, unless `exact`: then just back to a blank). */
  private wordStart(at: number, exact = false): number {
    const t = this.textValue;
    let k = at;
    if (!exact) while (k > 0 && BLANK.test(t[k - 1])) k--;
    while (k > 0 && !BLANK.test(t[k - 1])) k--;
    return this.snap(k);
  }

  /** End of the word at or after `at`. */
  private wordEnd(at: number): number {
    const t = this.textValue;
    let k = at;
    while (k < t.length && BLANK.test(t[k])) k++;
    while (k < t.length && !BLANK.test(t[k])) k++;
    return this.snapUp(k);
  }

  private prev(at: number): number {
    return lastBoundary(this.textValue, (b) => b < at);
  }

  private next(at: number): number {
    const t = this.textValue;
    return graphemeBoundaries(t).find((b) => b > at) ?? t.length;
  }

  /** The grapheme boundary at or before `at`. */
  private snap(at: number): number {
    return lastBoundary(this.textValue, (b) => b <= at);
  }

  /** The grapheme boundary at or after `at`. */
  private snapUp(at: number): number {
    const t = this.textValue;
    return graphemeBoundaries(t).find((b) => b >= at) ?? t.length;
  }
}
