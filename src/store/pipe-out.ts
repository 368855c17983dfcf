// The history pipe's sending side: an event-loop turn's lines gathered in one buffer and handed to the pipe whole.

/** The output buffer's size: a busy turn hands it to the pipe each time it fills (reserve). */
const OUT_KEEP = 64 * 1024;
/** How long console lines alone wait for more before they go down the pipe (flush). */
const CONSOLE_WAIT_MS = 10;

export class PipeOut {
  /** Lines not yet handed over: buf[0, used). */
  buf = Buffer.allocUnsafe(OUT_KEEP);
  used = 0;
  /** The buffer holds console lines only (flush may wait for more). */
  private consoleOnly = true;
  private timer: NodeJS.Timeout | null = null;

  /** `hand` takes each chunk and keeps it (the pipe may hold it a while). */
  constructor(private readonly hand: (chunk: Buffer) => void) {}

  /** Append a line the writer needs this turn (a record, a write, a query), as UTF-8. */
  line(text: string): void {
    this.text(text);
    this.consoleOnly = false; // after text(): a full buffer handed over there resets it
  }

  /** Append a console line, which may wait a few ms for more (flush). */
  consoleLine(text: string): void {
    this.text(text);
  }

  /**
   * Room for `bytes` more at buf[used], for a line needed this turn that the caller writes in
   * place (then moves `used` past it). Returns the buffer.
   */
  room(bytes: number): Buffer {
    this.reserve(bytes);
    this.consoleOnly = false;
    return this.buf;
  }

  /**
   * Hand the turn's lines to the pipe. Console lines alone wait up to CONSOLE_WAIT_MS for more:
   * they need no commit, and a pipe write (and the writer's wake-up) per turn for a join line
   * each cost busy arrivals into a channel more than the lines.
   */
  flush(): void {
    if (this.used === 0) return;
    if (!this.consoleOnly) return this.send();
    this.timer ??= setTimeout(() => this.send(), CONSOLE_WAIT_MS).unref();
  }

  /** Hand everything over now. */
  send(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.consoleOnly = true;
    if (this.used === 0) return;
    // The pipe may hold the chunk a while, so the output buffer cannot be reused under it: a
    // small turn's bytes are copied out; a buffer at least half full (a busy turn's, handed over
    // as it fills: reserve) is handed over whole (no copy of most of the bytes, and never a
    // backing store much larger than its bytes) and replaced by one as big; a small turn shrinks
    // one grown for a big line back to OUT_KEEP.
    let chunk: Buffer;
    if (this.used < this.buf.length / 2) {
      chunk = Buffer.allocUnsafe(this.used);
      this.buf.copy(chunk, 0, 0, this.used);
      if (this.buf.length > OUT_KEEP) this.buf = Buffer.allocUnsafe(OUT_KEEP);
    } else {
      chunk = this.buf.subarray(0, this.used);
      this.buf = Buffer.allocUnsafe(this.buf.length);
    }
    this.used = 0;
    this.hand(chunk);
  }

  private text(text: string): void {
    this.reserve(text.length * 3);
    this.used += this.buf.write(text, this.used, 'utf8');
  }

  /**
   * Make room for `bytes` more in the buffer. A full buffer is handed to the pipe there and then
   * (it holds whole lines, and the pipe keeps their order), never copied into a bigger one:
   * growing by copies cost a busy server 2% of its time. A line bigger than the buffer gets a
   * buffer of its own size, which the next turn keeps (send).
   */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.buf.length) return;
    this.send();
    if (bytes > this.buf.length)
      this.buf = Buffer.allocUnsafe(Math.max(this.buf.length * 2, bytes));
  }
}
