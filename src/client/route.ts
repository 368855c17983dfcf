// Which windows an event's line belongs to: its conversation's, every window a quit or nick change touches, else the server window. Pure.
import type { SessionEvent } from './events.js';

/** Where a display line belongs and how it sorts, for views with a window per conversation. */
export interface LineInfo {
  /** Its windows: conversation ids (ConversationInfo.id), SERVER_WINDOW_ID for the server's. */
  windows: number[];
  /** Server time (or our clock's for local lines), epoch ms. */
  time: number;
  /** Sorted among older lines by `time`: chat messages, which carry the server's time. */
  placed: boolean;
  /** Cells from the line's start where its wrapped rows go on, instead of the view's indent. */
  hang?: number;
  /** Someone else's message: it may start the unread part of its window. */
  unread: boolean;
  /** Replayed from the server's history (catch-up). */
  history: boolean;
  /**
   * How far its conversation has been read (the server's read marker, epoch ms), or null when
   * no marker is known: a message no newer than it is not unread, wherever it lands.
   */
  read: number | null;
}

/** The window of server messages and of lines whose conversation has no window (the view's 0). */
export const SERVER_WINDOW_ID = 0;

/**
 * The window ids for `event`'s line: `idOf` gives the open conversation's id for a name, or
 * null. Messages, info and errors go to their conversation; channel events to their channel; a
 * quit or nick change to each of its channels and to the private conversation with that nick;
 * anything whose window is not open (a channel we just left, a WHOIS reply) to the server window.
 */
export function windowsOf(event: SessionEvent, idOf: (name: string) => number | null): number[] {
  const one = (name: string | null | undefined): number[] => [
    (name === null || name === undefined ? null : idOf(name)) ?? SERVER_WINDOW_ID,
  ];
  switch (event.type) {
    case 'message':
    case 'info':
    case 'error':
      return one(event.conversation);
    case 'join':
    case 'part':
    case 'kick':
    case 'topic':
    case 'names':
      return one(event.channel);
    case 'mode':
      return one(event.target);
    case 'away':
      return one(event.nick);
    case 'quit':
    case 'nick': {
      const names =
        event.type === 'quit'
          ? [...event.channels, event.nick]
          : [...event.channels, event.from, event.to];
      const ids = [...new Set(names.map(idOf).filter((id): id is number => id !== null))];
      return ids.length > 0 ? ids : [SERVER_WINDOW_ID];
    }
    default:
      return [SERVER_WINDOW_ID];
  }
}
