// The paste guard: lines that arrive together (a bracketed paste, or a burst of Enters) are sent only after a y when there are many.
//
//   idle ──paste-start──► pasting ──paste-end──┐
//     │                                        ├─ ≤ PASTE_MAX_LINES lines: sent at once ──► idle
//     └──Enter──► burst (PASTE_BURST_MS) ──────┘
//                                              └─ more: asking ──y──► all sent in order ──► idle
//                                                         └──n / Esc / Ctrl-C──► dropped ──► idle
//
// A paste that ends without a line break just goes into the input line (and so does the text after
// the last line break); nothing is sent before the user presses Enter.
import { stripControls } from '../../protocol/sanitize.js';
import type { Key, LineEditor } from './editor.js';

/** A paste of more lines than this asks "Send N lines to #x? (y/n)" first (habit 11). */
export const PASTE_MAX_LINES = 3;

/**
 * Without bracketed paste, a pasted block arrives as keystrokes: lines completed by Enter less than
 * this apart are one burst. Typing two Enters this close together is not humanly possible, and the
 * delay it adds to a typed line is not noticeable.
 */
export const PASTE_BURST_MS = 15;

/** Pasted tabs become this: the input line has no tab stops, and Tab itself means "complete". */
const TAB = '    ';

/** One pasted line made fit for the input line: tabs expanded, every other control removed. */
export function cleanPasted(s: string): string {
  return stripControls(s.replace(/\t/g, TAB));
}

export interface SplitPaste {
  /** Lines the paste completed, in order (the first one starts with the text before the cursor). */
  lines: string[];
  /** What stays in the input line, and where the cursor goes in it. */
  rest: string;
  cursor: number;
}

/**
 * Paste `pasted` at the cursor of the input line `before|after`. Every line break (LF, CR or CR LF)
 * completes a line; the text after the last one stays in the input line, followed by `after`.
 */
export function splitPaste(before: string, pasted: string, after: string): SplitPaste {
  const parts = pasted.split(/\r\n|\r|\n/).map(cleanPasted);
  const last = parts.pop() ?? '';
  if (parts.length === 0) {
    return { lines: [], rest: before + last + after, cursor: before.length + last.length };
  }
  parts[0] = before + parts[0];
  return { lines: parts, rest: last + after, cursor: last.length };
}

/** Collects lines entered less than `windowMs` apart and hands each burst over in one piece. */
export class BurstDetector {
  private lines: string[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly onBurst: (lines: string[]) => void,
    private readonly windowMs = PASTE_BURST_MS,
  ) {}

  add(line: string): void {
    this.lines.push(line);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.windowMs);
  }

  /** Hand over what was collected now. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const lines = this.lines;
    this.lines = [];
    if (lines.length > 0) this.onBurst(lines);
  }

  /** Drop what was collected and stop the timer; returns how many lines with text were dropped. */
  cancel(): number {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const dropped = this.lines.filter((l) => l.trim() !== '').length;
    this.lines = [];
    return dropped;
  }
}

export interface PasteHooks {
  /** Send one line (in order, through the controller). */
  send(line: string): void;
  /** Show a short notice on the status line. */
  notify(text: string): void;
}

export class PasteGuard {
  /** Text of the bracketed paste being received. */
  private pasting: string[] | null = null;
  /** Lines waiting for y/n. */
  private held: string[] | null = null;
  private readonly burst = new BurstDetector((lines) => this.batch(lines));

  constructor(private readonly hooks: PasteHooks) {}

  /** True between paste-start and paste-end (the screen need not follow every key). */
  get inPaste(): boolean {
    return this.pasting !== null;
  }

  /** How many lines wait for y/n, or null. */
  get waiting(): number | null {
    return this.held?.length ?? null;
  }

  /** Offer a key to the guard first; true when it used it (inside a paste, or the y/n answer). */
  key(key: Key, editor: LineEditor): boolean {
    if (this.pasting !== null) {
      if (key.name === 'paste-end') this.pasted(this.pasting.join(''), editor);
      else this.pasting.push(key.sequence ?? '');
      return true;
    }
    if (key.name === 'paste-start') {
      this.pasting = [];
      return true;
    }
    if (this.held === null) return false;
    if (key.name === 'y') this.answer(true);
    else if (key.name === 'n' || key.name === 'escape' || (key.ctrl && key.name === 'c'))
      this.answer(false);
    return true;
  }

  /** A line the user completed with Enter: sent once it is clear that it is not part of a burst. */
  entered(line: string): void {
    this.burst.add(line);
  }

  /** The end: returns how many lines with text were still held (a burst, or a paste awaiting y/n). */
  stop(): number {
    const dropped = this.burst.cancel() + (this.held?.length ?? 0);
    this.held = null;
    return dropped;
  }

  /** A bracketed paste ended: the lines it completed are a batch; the rest goes into the editor. */
  private pasted(text: string, editor: LineEditor): void {
    this.pasting = null;
    const split = splitPaste(
      editor.text.slice(0, editor.cursor),
      text,
      editor.text.slice(editor.cursor),
    );
    editor.set(split.rest, split.cursor);
    if (split.lines.length > 0) this.batch(split.lines);
  }

  private batch(lines: string[]): void {
    const real = lines.filter((l) => l.trim() !== '');
    if (real.length > PASTE_MAX_LINES) this.held = real;
    else for (const line of lines) this.hooks.send(line);
  }

  private answer(yes: boolean): void {
    const lines = this.held ?? [];
    this.held = null;
    if (yes) for (const line of lines) this.hooks.send(line);
    else this.hooks.notify(`Paste of ${lines.length} lines not sent`);
  }
}
