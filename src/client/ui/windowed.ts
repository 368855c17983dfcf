// The full-screen surface: lines into their windows (windows.ts), the current window drawn with its nick list (window-screen.ts), and the window keys and commands.
//
// Window 1 is the server window (server messages, replies about conversations with no window);
// windows 2, 3... are the conversations in the order they were opened, as in irssi and WeeChat.
// Keys: Alt-1..9 show window N, Ctrl-N / Ctrl-P the next / previous one, PageUp / PageDown (with
// or without Shift) scroll by a screen less one row, Ctrl-R repeats the last /find, Escape ends
// a search and goes back to the newest line, Ctrl-L redraws everything.
import type { ChatController, LineInfo } from '../app.js';
import type { WindowAction } from '../input.js';
import type { Member } from '../state.js';
import type { Key } from './editor.js';
import { clean } from './ircformat.js';
import { fitCells, type Frame, type TermOut } from './screen.js';
import { bodySize, WindowScreen } from './window-screen.js';
import { SERVER_WINDOW, Windows } from './windows.js';

/** Rows after the first of a wrapped line start under the text, past "HH:MM:SS ". */
const INDENT = 9;
/** Server-window lines left on the normal screen when the session fails (the reason is among them). */
const LAST_WORDS = 3;
/** Status symbols, highest first: the nick list shows operators, then voiced users, then the rest. */
const RANKS = '~&@%+';

export interface WindowOptions {
  color: boolean;
  /** Start with the nick list shown (--nicklist); /nicklist toggles it. */
  nicklist: boolean;
}

export class WindowSurface {
  readonly windowed = true;
  readonly nowhere = '(server)';
  private readonly screen: WindowScreen;
  private readonly windows = new Windows();
  private nicklist: boolean;
  /** The window area's height at the last frame: a page for PageUp / PageDown. */
  private page = 10;
  private lastFind: string | null = null;

  constructor(
    term: TermOut,
    private readonly notify: (text: string) => void,
    private readonly opts: WindowOptions,
  ) {
    this.screen = new WindowScreen(term);
    this.nicklist = opts.nicklist;
  }

  get columns(): number {
    return this.screen.columns;
  }

  /** Bytes written by the last frame (for measurements). */
  get lastBytes(): number {
    return this.screen.lastBytes;
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

  print(line: string, info: LineInfo): void {
    this.windows.add(line, info);
  }

  /** Another client of the account read window `id` up to `time`. */
  readTo(id: number, time: number): void {
    this.windows.readTo(id, time);
  }

  /** The server window's last lines: the error and the disconnection that ended the session. */
  lastWords(): string[] {
    return this.windows.buffer(SERVER_WINDOW).texts().slice(-LAST_WORDS);
  }

  render(frame: Frame, c: ChatController): void {
    this.sync(c);
    const current = c.status().current;
    const channel = current !== null && c.isChannel(current) ? current : null;
    const size = bodySize(this.screen.columns, this.screen.rows, this.nicklist && channel !== null);
    this.page = Math.max(1, size.height - 1);
    const buffer = this.windows.buffer(this.windows.current);
    const indent = size.width >= 40 ? INDENT : 0;
    const view = buffer.view(size.width, size.height, indent);
    // What is on screen down to the newest line has been seen: the account's marker follows.
    const newest = buffer.newest;
    if (!buffer.scrolled && newest !== null) c.markRead(this.windows.current, newest);
    const body = view.rows;
    if (view.below > 0 && body.length > 0) {
      const rows = view.below === 1 ? '1 row' : `${view.below} rows`;
      // Cut to the width like every other row: a terminal 20 to 37 columns wide would wrap it.
      const more = fitCells(` -- more below (${rows}): PageDown -- `, size.width);
      body[body.length - 1] = this.opts.color ? `\x1b[7m${more}\x1b[0m` : more;
    }
    const nicks =
      size.nickWidth > 0 && channel !== null ? nickRows(c.members(channel), size.height) : null;
    this.screen.render({ ...frame, body, nicks, nickWidth: size.nickWidth });
  }

  key(key: Key, c: ChatController): boolean {
    const ctrl = key.ctrl === true && key.meta !== true;
    const buffer = this.windows.buffer(c.currentWindow());
    switch (key.name) {
      case 'pageup':
        buffer.scroll(this.page);
        return true;
      case 'pagedown':
        buffer.scroll(-this.page);
        return true;
      case 'escape':
        buffer.endFind();
        buffer.toBottom();
        return true;
    }
    if (ctrl && (key.name === 'n' || key.name === 'p')) {
      const all = this.numbered(c);
      const at = all.indexOf(c.currentWindow());
      this.showNumber(c, ((at + (key.name === 'n' ? 1 : -1) + all.length) % all.length) + 1);
      return true;
    }
    if (ctrl && key.name === 'r') {
      this.find(c, null);
      return true;
    }
    if (ctrl && key.name === 'l') {
      this.screen.resized();
      return true;
    }
    if (key.meta === true && /^[1-9]$/.test(key.name ?? '')) {
      this.showNumber(c, Number(key.name));
      return true;
    }
    return false;
  }

  command(a: WindowAction, c: ChatController): void {
    switch (a.kind) {
      case 'window':
        if (a.number === null) this.list(c);
        else this.showNumber(c, a.number);
        return;
      case 'find':
        this.find(c, a.text);
        return;
      case 'nicklist':
        this.nicklist = !this.nicklist;
        this.notify(this.nicklist ? 'Nick list on (in channels, 80+ columns)' : 'Nick list off');
        return;
    }
  }

  /** Follow the controller: the current window, and closed conversations' windows dropped. */
  private sync(c: ChatController): void {
    this.windows.show(c.currentWindow());
    this.windows.keep(c.conversations().map((x) => x.id));
  }

  /** Window ids in number order: the server window, then the conversations. */
  private numbered(c: ChatController): number[] {
    return [SERVER_WINDOW, ...c.conversations().map((x) => x.id)];
  }

  private showNumber(c: ChatController, n: number): void {
    if (n === 1) return c.showServer();
    const conv = c.conversations()[n - 2];
    if (conv === undefined) this.notify(`No window ${n} — /window lists them`);
    else c.switchTo(conv.name);
  }

  private list(c: ChatController): void {
    const current = c.currentWindow();
    c.note('Windows (Alt-N or /window N):');
    c.note(`  1 (server)${current === SERVER_WINDOW ? ' ◂' : ''}`);
    c.conversations().forEach((x, k) => {
      const unread = x.unread > 0 ? `  ${x.unread} unread${x.highlight ? ', for you' : ''}` : '';
      c.note(`  ${k + 2} ${clean(x.name)}${unread}${x.id === current ? ' ◂' : ''}`);
    });
  }

  private find(c: ChatController, text: string | null): void {
    const query = text ?? this.lastFind;
    if (query === null) return this.notify('Nothing to look for: /find TEXT first');
    this.lastFind = query;
    const found = this.windows.buffer(c.currentWindow()).find(query, this.page + 1);
    if (!found) this.notify(`No older line holds "${clean(query)}"`);
  }
}

/** The nick list: a count, then operators, voiced users and the rest, each group by name. */
export function nickRows(members: readonly Member[], height: number): string[] {
  const rank = (m: Member): number => {
    // No symbol is the lowest rank ('~&@%+'.indexOf('') would be 0, the highest).
    const k = m.prefix === '' ? -1 : RANKS.indexOf(m.prefix[0]);
    return k === -1 ? RANKS.length : k;
  };
  const sorted = [...members].sort(
    (a, b) => rank(a) - rank(b) || a.nick.toLowerCase().localeCompare(b.nick.toLowerCase()),
  );
  const rows = [`${members.length} ${members.length === 1 ? 'nick' : 'nicks'}`];
  for (const m of sorted) rows.push(clean((m.prefix[0] ?? '') + m.nick));
  if (rows.length > height && height > 1) {
    const cut = rows.slice(0, height - 1);
    cut.push(`+${rows.length - cut.length} more`);
    return cut;
  }
  return rows;
}
