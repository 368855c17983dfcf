// The levelled diagnostics logger on stderr: one readable line per event, or JSON lines (pino) for machines, gathered and written every 50 ms.
import { pino } from 'pino';
import type { Logger } from '../server/diagnostics.js';

export interface StderrLogger extends Logger {
  /** Write out what is still gathered (at exit). */
  flushSync(): void;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 20, info: 30, warn: 40, error: 50 };
const LABEL: Record<Level, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };
/** Level colours on a terminal, as the usual log viewers show them. */
const COLOUR: Record<Level, string> = { debug: '34', info: '32', warn: '33', error: '31' };
/** Lines are gathered for this long and written together: a line per connection is one write per
 * burst, not a write syscall each. */
const GATHER_MS = 50;

/**
 * Lines for stderr, gathered and handed to an asynchronous writer every GATHER_MS (pino's
 * destination, which never blocks the loop on a slow terminal); flushed whole at exit.
 */
class Gathered {
  private text = '';
  private timer: NodeJS.Timeout | null = null;
  private readonly dest = pino.destination({ dest: 2, sync: false });

  write(line: string): void {
    this.text += line;
    if (this.timer === null) {
      this.timer = setTimeout(() => this.flush(), GATHER_MS);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.text === '') return;
    this.dest.write(this.text);
    this.text = '';
  }

  flushSync(): void {
    this.flush();
    try {
      this.dest.flushSync();
    } catch {
      // stderr closed or not ready yet: diagnostics are best effort at exit
    }
  }
}

const two = (n: number) => (n < 10 ? '0' : '') + n;

/**
 * `[HH:MM:SS] LEVEL: message {"field":value}`: the single-line form of pino-pretty, which this
 * replaces because it cost 18-44 µs a line and the server writes one per connection and departure.
 */
function textLine(level: Level, fields: object, msg: string, colour: boolean): string {
  const d = new Date();
  const label = colour ? `\x1b[${COLOUR[level]}m${LABEL[level]}\x1b[39m` : LABEL[level];
  const extra = Object.keys(fields).length > 0 ? ' ' + JSON.stringify(fields) : '';
  return `[${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}] ${label}: ${msg}${extra}\n`;
}

export function makeLogger(format: 'text' | 'json', level: string): StderrLogger {
  const out = new Gathered();
  // Whatever ends the process, gathered diagnostics go out first.
  process.once('exit', () => out.flushSync());
  const flushSync = () => out.flushSync();
  if (format === 'json') {
    const logger = pino({ level, base: undefined }, { write: (line: string) => out.write(line) });
    return {
      debug: (fields, msg) => logger.debug(fields, msg),
      info: (fields, msg) => logger.info(fields, msg),
      warn: (fields, msg) => logger.warn(fields, msg),
      error: (fields, msg) => logger.error(fields, msg),
      flushSync,
    };
  }
  const min = RANK[level as Level] ?? RANK.info;
  const colour = process.stderr.isTTY === true;
  const at = (l: Level) => (fields: object, msg: string) => {
    if (RANK[l] >= min) out.write(textLine(l, fields, msg, colour));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), flushSync };
}
