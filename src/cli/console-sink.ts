// The chat log's way to stdout: SonicBoom's asynchronous writes, each chunk handed back once written.
import { pino } from 'pino';
import type { Sink } from '../server/chatlog.js';

/** Bytes waiting for stdout past which new lines are dropped (nobody reading it must not stall chat). */
const MAX_WAITING = 16 * 1024 * 1024;

export interface ConsoleSink extends Sink {
  /** Write what is waiting now, blocking (at exit). Throws when stdout is closed. */
  flushSync(): void;
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
  };
}
