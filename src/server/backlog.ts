// A client's lines held back by its flood bucket (fake lag): kept in order, with their bytes counted against recvq.

/** What a held-back line is: text that was UTF-8, text that was not, or a line past the limits
 * (its 417 keeps its place among the replies). */
export const LINE_UTF8 = 0;
export const LINE_NOT_UTF8 = 1;
export const LINE_TOO_LONG = 2;

/** Made when a line first has to wait, dropped when the last one went on: most clients never
 * need one. */
export class Backlog {
  private readonly lines: string[] = [];
  private readonly kinds: number[] = [];
  /** Each line's bytes as read: its text may differ (bytes that were not UTF-8 decode to U+FFFD). */
  private readonly sizes: number[] = [];
  /** Bytes of the lines held, as read. */
  bytes = 0;

  get size(): number {
    return this.lines.length;
  }

  push(line: string, kind: number, bytes: number): void {
    this.lines.push(line);
    this.kinds.push(kind);
    this.sizes.push(bytes);
    this.bytes += bytes;
  }

  /** The oldest line and its kind. */
  shift(): [string, number] {
    this.bytes -= this.sizes.shift()!;
    return [this.lines.shift()!, this.kinds.shift()!];
  }
}
