// The console log's pieces that the server's chat log and the history writer (which prints it for the server, pipe.ts) share: the clock, the message lines, and the way to stdout.
import { pino } from 'pino';
import { stripControls } from '../protocol/index.js';

/**
 * Takes each chunk until it calls `done` (when it does): then the chat log may fill the chunk's
 * memory again. A sink that never calls it gets a fresh Buffer every time.
 */
export interface Sink {
  write(chunk: Buffer, done?: () => void): unknown;
}

/** Local `HH:MM:SS` of a time in epoch milliseconds, worked out once per second. */
export class ConsoleClock {
  private second = -1;
  private textNow = '';

  text(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      const d = new Date(ms);
      this.second = second;
      this.textNow = [d.getHours(), d.getMinutes(), d.getSeconds()]
        .map((n) => String(n).padStart(2, '0'))
        .join(':');
    }
    return this.textNow;
  }
}

/** The console line (without its clock) of a private message: `from -> to: text`. */
export function privateConsoleLine(from: string, to: string, text: string): string {
  return `${from} -> ${to}: ${text}`;
}

/** `ctcp`: a CTCP request or reply other than ACTION (VERSION, PING...), shown as such. */
export type MessageKind = 'privmsg' | 'notice' | 'action' | 'ctcp';

/**
 * What the console calls a message, and its text there: CTCP (\x01...\x01) is an action (/me)
 * or another CTCP request, shown without the \x01 framing.
 */
export function consoleForm(verb: string, text: string): { kind: MessageKind; text: string } {
  if (text.charCodeAt(0) !== 1) return { kind: verb === 'NOTICE' ? 'notice' : 'privmsg', text };
  const kind = text.startsWith('\x01ACTION ') && verb === 'PRIVMSG' ? 'action' : 'ctcp';
  return { kind, text: text.replace(/^\x01(ACTION )?|\x01$/g, '') };
}

/**
 * The console line (without its clock) of a message to a channel, its text (consoleForm's)
 * stripped of control characters so no user can drive the operator's terminal.
 */
export function channelConsoleLine(
  channel: string,
  nick: string,
  text: string,
  kind: MessageKind,
): string {
  const t = stripControls(text);
  return kind === 'action'
    ? `${channel} * ${nick} ${t}`
    : kind === 'notice'
      ? `${channel} -${nick}- ${t}`
      : kind === 'ctcp'
        ? `${channel} ${nick} sent CTCP ${t}`
        : `${channel} <${nick}> ${t}`;
}

/** Bytes waiting for stdout past which new lines are dropped (nobody reading it must not stall chat). */
const MAX_WAITING = 16 * 1024 * 1024;

export interface ConsoleSink extends Sink {
  /** Write what is waiting now, blocking (at exit). Throws when stdout is closed. */
  flushSync(): void;
  /** Write what is waiting, then `done` (at once when stdout is closed). */
  end(done: () => void): void;
}

/**
 * A Sink on file descriptor `fd`. SonicBoom writes in order and says how many bytes each write
 * took ('write'), so a chunk whose last byte is out is done (the chat log fills it again); one
 * it refuses ('drop', emitted during write()) is done at once.
 */
export function consoleSink(fd = 1): ConsoleSink {
  const boom = pino.destination({
    dest: fd,
    sync: false,
    maxLength: MAX_WAITING,
    contentMode: 'buffer',
  });
  const waiting: { end: number; done: () => void }[] = [];
  let handed = 0;
  let written = 0;
  let dropped = false;
  boom.on('write', (n: number) => {
    written += n;
    while (waiting.length !== 0 && waiting[0].end <= written) waiting.shift()!.done();
  });
  boom.on('drop', () => {
    dropped = true;
  });
  // stdout closed (the terminal gone, `| head` done): the chat log stops, the server goes on.
  let broken = false;
  boom.on('error', () => {
    broken = true;
    for (const w of waiting.splice(0)) w.done();
  });
  return {
    write(chunk: Buffer, done?: () => void) {
      if (broken) return done?.();
      dropped = false;
      // In buffer mode SonicBoom's write takes Buffers; its type declaration lists only strings.
      boom.write(chunk as unknown as string);
      if (done === undefined) return;
      if (dropped) done();
      else waiting.push({ end: (handed += chunk.length), done });
    },
    flushSync: () => {
      if (!broken) boom.flushSync();
    },
    end: (done) => {
      if (broken) return done();
      let called = false;
      const once = () => {
        if (!called) done();
        called = true;
      };
      boom.once('error', once);
      boom.once('close', once);
      boom.end();
    },
  };
}
