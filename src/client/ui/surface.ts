// What the interactive view draws on — inline (messages into the terminal's scrollback) or windows (full screen) — and the inline one.
import type { ChatController, LineInfo } from '../app.js';
import type { WindowAction } from '../input.js';
import type { Key } from './editor.js';
import { Screen, type Frame, type TermOut } from './screen.js';

/** The interactive view's drawing and its own keys; the view keeps the editor, status, signals. */
export interface Surface {
  /** Lines are kept per window (View.windowed). */
  readonly windowed: boolean;
  readonly columns: number;
  /** What the status line calls "no conversation". */
  readonly nowhere: string;
  start(): void;
  stop(): void;
  /** The terminal changed size, or Ctrl-L: redraw everything at the next render. */
  resized(): void;
  print(line: string, info: LineInfo): void;
  /** A read marker moved (another client read window `id` up to `time`); inline ignores it. */
  readTo?(id: number, time: number): void;
  /** Draw now: new lines, the status and input rows (and, with windows, the window). */
  render(frame: Frame, c: ChatController): void;
  /** Switching, scrolling...; true when the key was taken. */
  key(key: Key, c: ChatController): boolean;
  /** Lines to leave on the normal screen when the session ends in failure (why it ended). */
  lastWords(): string[];
  /** /window, /find, /nicklist; absent when the surface has no windows. */
  command?(a: WindowAction, c: ChatController): void;
}

/** Messages into the terminal's own scrollback, status and input rows pinned below (screen.ts). */
export class InlineSurface implements Surface {
  readonly windowed = false;
  readonly nowhere = '(no conversation)';
  private readonly screen: Screen;
  /** Lines printed since the last frame, drawn with the next. */
  private readonly pending: string[] = [];

  constructor(
    term: TermOut,
    private readonly notify: (text: string) => void,
  ) {
    this.screen = new Screen(term);
  }

  get columns(): number {
    return this.screen.columns;
  }

  start(): void {
    this.screen.start();
  }

  stop(): void {
    this.screen.stop();
  }

  resized(): void {
    this.screen.resized();
  }

  print(line: string): void {
    this.pending.push(line);
  }

  render(frame: Frame): void {
    this.screen.render(frame, this.pending.splice(0));
  }

  /** None: every line is in the terminal's scrollback already. */
  lastWords(): string[] {
    return [];
  }

  /** Ctrl-N / Ctrl-P: the next or previous conversation; Alt-1..9: the n-th, in opening order. */
  key(key: Key, c: ChatController): boolean {
    const ctrl = key.ctrl === true && key.meta !== true;
    const names = c.conversationNames();
    if (ctrl && (key.name === 'n' || key.name === 'p')) {
      if (names.length === 0) return true;
      const at = names.findIndex((n) => n === c.status().current);
      const delta = key.name === 'n' ? 1 : -1;
      c.switchTo(names[(at + delta + names.length) % names.length]);
      return true;
    }
    if (key.meta === true && /^[1-9]$/.test(key.name ?? '')) {
      const name = names[Number(key.name) - 1];
      if (name !== undefined) c.switchTo(name);
      else this.notify(`No conversation ${key.name}`);
      return true;
    }
    return false;
  }
}
