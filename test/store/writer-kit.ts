// A history writer in process for writer.ts's tests: its answers collected, one on a new file per test, and record and query lines as pipe.ts writes them.
import assert from 'node:assert/strict';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { escapeField } from '../../src/store/pipe-lines.js';
import type { HistoryRecord } from '../../src/store/types.js';
import { openWriter, type Writer } from '../../src/store/writer.js';
import { makeTemp, rmTemp } from './kit.js';
import { within } from './writer-control.js';

/** What the writer sent, in order, and a way to wait for a query's answer. */
export class Answers {
  readonly lines: unknown[][] = [];
  private wake: (() => void) | null = null;

  readonly send = (line: unknown[]): void => {
    this.lines.push(line);
    this.wake?.();
  };

  /** The ['r', id, value] or ['x', id, reason] of query `id`. */
  to(id: number): Promise<unknown[]> {
    const find = async (): Promise<unknown[]> => {
      for (;;) {
        const found = this.lines.find((l) => (l[0] === 'r' || l[0] === 'x') && l[1] === id);
        if (found !== undefined) return found;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    };
    return within(find(), `answer to query ${id}`);
  }

  /** The lines sent that are not query answers (ready, fail, err). */
  others(): unknown[][] {
    return this.lines.filter((l) => l[0] !== 'r' && l[0] !== 'x');
  }
}

export interface Run {
  writer: Writer;
  answers: Answers;
  file: string;
  /** What the writer printed on its console, one entry per print. */
  shown: string[];
  /** Ends the writer's input: resolves once it has closed the file. */
  end(): Promise<void>;
}

/**
 * A writer (openWriter, as the process makes it) on a new file, reading a stream that end()
 * closes; the test may also hand it chunks with writer.data(). Closed and removed after `body`.
 */
export async function withWriter(
  body: (run: Run) => Promise<void>,
  console = false,
): Promise<void> {
  const dir = makeTemp();
  const file = path.join(dir, 'parley.db');
  const answers = new Answers();
  const shown: string[] = [];
  const show = console ? (text: string) => shown.push(text) : null;
  const writer = openWriter(file, false, answers.send, show);
  assert.ok(writer !== null);
  assert.deepEqual(answers.lines.shift(), ['ready']);
  const input = new PassThrough();
  const ended = new Promise<void>((resolve) => writer.read(input, resolve));
  let closed = false;
  const end = async (): Promise<void> => {
    if (!closed) input.end();
    closed = true;
    await within(ended, 'close after the end of input');
  };
  try {
    await body({ writer, answers, file, shown, end });
  } finally {
    await end();
    rmTemp(dir);
  }
}

/** A record's line as pipe.ts writes it: A, the fields (escaped where they may hold a separator), LF. */
export function line(r: HistoryRecord): string {
  const fields = [
    'A',
    r.msgid,
    String(r.time),
    escapeField(r.conversation),
    escapeField(r.target),
    escapeField(r.source),
    r.account === null ? '' : escapeField(r.account),
    r.command,
    escapeField(r.tags),
    escapeField(r.text),
  ];
  return `${fields.join('\t')}\n`;
}

/** A query's line. */
export function q(id: number, method: string, ...args: unknown[]): string {
  return `${JSON.stringify(['q', id, method, args])}\n`;
}

/** Send query `id` and wait for its answer. */
export async function ask(
  run: Run,
  id: number,
  method: string,
  ...args: unknown[]
): Promise<unknown[]> {
  run.writer.data(q(id, method, ...args));
  return run.answers.to(id);
}
