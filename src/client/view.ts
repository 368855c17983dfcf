// What the chat controller needs of a user interface (View), and what it tells one: the status and each conversation's counts.
import type { WindowAction } from './input.js';
import type { LineInfo } from './route.js';

export interface View {
  /**
   * Show one finished display line (already sanitized, maybe with SGR colour). A view with
   * windows puts it in `info.windows`; the others just print it.
   */
  print(line: string, info: LineInfo): void;
  /**
   * True for a view with a window per conversation: lines are then formatted for the window they
   * land in (no `[#dev]` tag in #dev's own window).
   */
  readonly windowed?: boolean;
  /** /window, /find, /nicklist; views without windows leave it out (the user is told). */
  windowCommand?(action: WindowAction): void;
  /**
   * Another client of the account read window `id` up to `time` (a read marker moved): lines
   * up to it are not unread any more. Views without windows leave it out.
   */
  readTo?(id: number, time: number): void;
  /** Ring the terminal bell (mentions, private messages). */
  bell(): void;
  /** Something in status() changed: redraw the prompt/status line. */
  statusChanged(): void;
  /**
   * Ask for a secret at the terminal without echoing it; null when the user cancelled. Views
   * that cannot ask (plain mode) leave it out.
   */
  askSecret?(prompt: string): Promise<string | null>;
}

export interface ConversationInfo {
  /** Stable while the conversation is open (a nick change keeps it), never reused. */
  id: number;
  name: string;
  unread: number;
  /** An unread line mentions us or is private to us. */
  highlight: boolean;
}

export interface Status {
  state: string;
  nick: string;
  current: string | null;
  /** The other conversations, in the order they were opened. */
  others: ConversationInfo[];
  lagMs: number | null;
  /** Seconds until the next reconnect attempt, when waiting. */
  retryInS: number | null;
  /** We are marked away (/away). */
  away: boolean;
}
