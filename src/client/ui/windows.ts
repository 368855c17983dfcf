// The windows of the full-screen view as a pure model: one Buffer per window id (0: the server window), which is shown, where each line goes, when the unread rule is set and cleared. No I/O.
//
// Window ids are the controller's conversation ids (Conversations), stable across a rename and
// never reused, so a closed then reopened conversation starts with an empty window.
import type { LineInfo } from '../app.js';
import { SERVER_WINDOW_ID } from '../route.js';
import { Buffer } from './buffer.js';

/** The window of server messages, replies and our own notices: always there, never closed. */
export const SERVER_WINDOW = SERVER_WINDOW_ID;

export class Windows {
  private readonly buffers = new Map<number, Buffer>([[SERVER_WINDOW, new Buffer()]]);
  private shown = SERVER_WINDOW;

  /** The window on screen. */
  get current(): number {
    return this.shown;
  }

  /** The buffer of window `id` (made empty when it has none yet). */
  buffer(id: number): Buffer {
    let b = this.buffers.get(id);
    if (b === undefined) {
      b = new Buffer();
      this.buffers.set(id, b);
    }
    return b;
  }

  /**
   * One display line into each of its windows. It starts the unread part of a window when it is
   * someone else's message and the window is not on screen, or is replayed history (missed, even
   * in the window on screen) — unless it is no newer than the conversation's read marker.
   *
   * With a read marker (draft/read-marker, `info.read`) the account's clients agree: what is
   * newer than it and not ours is unread, so the rule sits after the last line read anywhere.
   * Without one (no account, a server without the cap) this client's own view decides: what
   * catch-up replays is, by construction, what it has not shown (CHATHISTORY AFTER the last
   * message it saw; on a first connection, the latest lines, all new to it), so the first
   * replayed line not from us is where unread begins. Our own lines never start it.
   */
  add(line: string, info: LineInfo): void {
    for (const id of info.windows) {
      const unread = info.unread && (info.history || id !== this.shown);
      this.buffer(id).add(line, info.time, {
        placed: info.placed,
        unread,
        read: info.read,
        hang: info.hang,
      });
    }
  }

  /** Window `id` was read up to `time` in another client: its unread rule moves past that. */
  readTo(id: number, time: number): void {
    this.buffers.get(id)?.readTo(time);
  }

  /** Show window `id`: the one left has been read (its unread rule goes) and stops searching. */
  show(id: number): void {
    if (id === this.shown) return;
    const left = this.buffers.get(this.shown);
    left?.clearMarker();
    left?.endFind();
    this.shown = id;
  }

  /** Forget the buffers of windows that are not `open` any more (closed conversations). */
  keep(open: Iterable<number>): void {
    const ids = new Set(open);
    ids.add(SERVER_WINDOW);
    for (const id of this.buffers.keys()) if (!ids.has(id)) this.buffers.delete(id);
  }
}
