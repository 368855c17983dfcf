// One conversation's log file: opened lazily in append mode (created 0600), stamped lines queued and appended in batches off the event loop, silence after the first failure.
//
//   opening ──(read the file's tail, open 'a')──> open ──close()──> closed
//      │                                           │
//      └────────────(any error: reported once)─────┴──> failed (lines dropped from then on)
//
// Lines that arrive while the file opens wait in memory and are written in arrival order. Each
// line starts with the event's time, ISO 8601 in local time with its offset; a "--- Day changed"
// line comes first when its date differs from the line before it.
import { promises as fsp, writeSync, type PathLike } from 'node:fs';

/** How much of an existing file's end is read to find its newest line. */
const TAIL_BYTES = 16 * 1024;
/** A line that starts with our stamp. */
const STAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d) /;

export interface LogEntry {
  /** The event's time, epoch ms. */
  time: number;
  /** The line without its stamp, plain text. */
  text: string;
  /** Replayed from the server's history: skipped when older than what the file already has. */
  history: boolean;
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

/** `YYYY-MM-DD` of `ms` in local time. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `2025-01-02T13:04:05+01:00`: ISO 8601, local time, to the second, with the UTC offset. */
export function isoStamp(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const zone = `${off < 0 ? '-' : '+'}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${localDay(ms)}T${time}${zone}`;
}

/** The time of the newest stamped line near the end of `file` (-Infinity: none, or no file). */
async function newestLine(file: PathLike): Promise<number> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return -Infinity;
    throw err;
  }
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    let newest = -Infinity;
    for (const line of buf.toString('utf8').split('\n')) {
      const m = STAMPED.exec(line);
      if (m !== null) newest = Math.max(newest, Date.parse(m[1]));
    }
    return newest;
  } finally {
    await fh.close();
  }
}

export class LogFile {
  private phase: 'opening' | 'open' | 'failed' | 'closed' = 'opening';
  private fh: fsp.FileHandle | null = null;
  /** Entries that arrived before the file was open. */
  private waiting: LogEntry[] = [];
  /** Finished text not yet handed to the disk. */
  private out: string[] = [];
  private writing = false;
  private idle: Array<() => void> = [];
  private lastDay: string | null = null;
  /** The newest line the file had before this run (history older than it is not written again). */
  private newest = -Infinity;
  private readonly opened: Promise<void>;

  constructor(
    readonly file: string,
    /** Resolves true once the folder exists and is writable (false: reported already). */
    folderReady: Promise<boolean>,
    /** Called once, with the error, when the file cannot be opened or written. */
    private readonly failed: (err: NodeJS.ErrnoException) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.opened = this.open(folderReady);
  }

  /** Queue one line. */
  add(entry: LogEntry): void {
    if (this.phase === 'opening') this.waiting.push(entry);
    else if (this.phase === 'open') {
      this.format(entry);
      this.pump();
    }
  }

  /** Write what is queued, a closing line, and close the file. */
  async close(): Promise<void> {
    await this.opened;
    if (this.phase !== 'open') return;
    this.out.push(`--- Log closed ${isoStamp(this.now())}\n`);
    this.pump();
    await new Promise<void>((resolve) => (this.writing ? this.idle.push(resolve) : resolve()));
    const fh = this.fh;
    this.fh = null;
    if (this.phase === 'open') this.phase = 'closed';
    await fh?.close().catch(() => {});
  }

  /**
   * At process exit, when close() could not run: what is queued, written synchronously (a batch
   * already on its way to the disk may land after it).
   */
  flushSync(): void {
    if (this.fh === null || this.out.length === 0) return;
    try {
      writeSync(this.fh.fd, this.out.join(''));
    } catch {
      // nothing more can be done on the way out
    }
    this.out = [];
  }

  /** Stop at once: nothing more is written (another file's failure showed the disk is unusable). */
  stop(): void {
    if (this.phase === 'open' || this.phase === 'opening') this.phase = 'failed';
    this.dropAll();
  }

  private async open(folderReady: Promise<boolean>): Promise<void> {
    if (!(await folderReady)) return this.stop();
    try {
      this.newest = await newestLine(this.file);
      this.fh = await fsp.open(this.file, 'a', 0o600);
    } catch (err) {
      return this.fail(err as NodeJS.ErrnoException);
    }
    if (this.phase !== 'opening') return this.dropAll();
    this.phase = 'open';
    const now = this.now();
    this.out.push(`--- Log opened ${isoStamp(now)}\n`);
    this.lastDay = localDay(now);
    for (const e of this.waiting) this.format(e);
    this.waiting = [];
    this.pump();
  }

  private format(e: LogEntry): void {
    const time = Number.isFinite(e.time) ? e.time : this.now();
    // The file's stamps have whole seconds: a replayed line from the newest line's second may
    // be written twice, one from an earlier second is taken as already there.
    if (e.history && time < this.newest) return;
    const day = localDay(time);
    if (day !== this.lastDay) {
      this.out.push(`--- Day changed ${day}\n`);
      this.lastDay = day;
    }
    this.out.push(`${isoStamp(time)} ${e.text}\n`);
  }

  /** Hand what is queued to the disk, one batch at a time. */
  private pump(): void {
    const fh = this.fh;
    if (this.writing || fh === null || this.out.length === 0) return;
    const batch = this.out.join('');
    this.out = [];
    this.writing = true;
    fh.appendFile(batch).then(
      () => {
        this.writing = false;
        if (this.out.length > 0 && this.fh !== null) return this.pump();
        const idle = this.idle;
        this.idle = [];
        for (const f of idle) f();
      },
      (err: unknown) => {
        this.writing = false;
        this.fail(err as NodeJS.ErrnoException);
      },
    );
  }

  private fail(err: NodeJS.ErrnoException): void {
    if (this.phase === 'failed' || this.phase === 'closed') return this.dropAll();
    this.phase = 'failed';
    this.dropAll();
    this.failed(err);
  }

  private dropAll(): void {
    this.waiting = [];
    this.out = [];
    const fh = this.fh;
    this.fh = null;
    if (!this.writing) void fh?.close().catch(() => {});
    else this.idle.push(() => void fh?.close().catch(() => {}));
    const idle = this.idle;
    if (!this.writing) {
      this.idle = [];
      for (const f of idle) f();
    }
  }
}
