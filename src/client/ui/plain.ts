// Plain mode: one line in per message, one line out per event, no escape codes — for pipes and scripts.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ChatController, View } from '../app.js';
import { parseInput } from '../input.js';
import type { ClientSession } from '../session.js';

export class PlainView implements View {
  constructor(private readonly out: Writable) {}

  print(line: string): void {
    this.out.write(line + '\n');
  }

  bell(): void {}

  statusChanged(): void {}
}

/**
 * Feed `input` to the controller line by line, in order. Resolves with the exit code: 0 after
 * /quit or end of input (once the server has closed the link), 1 when the session gave up
 * (bad password, untrusted certificate...) or could not deliver the input: lines wait for the
 * first registration, but once the input has ended (or asked to /quit) they wait at most one
 * connection attempt and a QUIT (session.quitBoundMs), so a script never hangs on a server that
 * is down; the error says why and how many lines were not sent.
 */
export function runPlain(
  controller: ChatController,
  session: ClientSession,
  input: Readable,
): Promise<number> {
  return new Promise((resolve) => {
    let finished = false;
    /** Lines read and not yet handed to the controller (they wait for the registration). */
    let held = 0;
    /** Why the last connection attempt failed, for the give-up message. */
    let problem: string | null = null;
    let giveUp: ReturnType<typeof setTimeout> | null = null;
    const bound = (): void => {
      giveUp ??= setTimeout(() => {
        if (finished || held === 0) return;
        const lines = held === 1 ? '1 line' : `${held} lines`;
        session.abandon(
          `gave up: ${problem ?? 'the server did not answer'}; ${lines} of input not sent`,
        );
      }, session.quitBoundMs);
    };
    /** The exit code of an end that was asked for: 1 when lines waiting to be sent were dropped. */
    const ended = (): number => (session.unsent > 0 ? 1 : 0);
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      if (giveUp !== null) clearTimeout(giveUp);
      rl.close();
      resolve(code);
    };
    session.onEvent((e) => {
      if (e.type === 'state' && e.state !== 'connected' && e.reason !== undefined) {
        problem = e.reason;
      }
      if (
        e.type === 'state' &&
        e.state === 'disconnected' &&
        e.final === true &&
        !controller.leaving
      ) {
        finish(1);
      }
    });
    const rl = createInterface({ input, terminal: false, crlfDelay: Infinity });
    // Lines are handled strictly in order: each waits for the one before it.
    let chain: Promise<void> = Promise.resolve();
    rl.on('line', (line) => {
      // A /quit has its own bound (session.quit) and is not counted as a line left unsent.
      const quit = parseInput(line, { current: null }).kind === 'quit';
      if (quit) bound();
      else held++;
      chain = chain.then(async () => {
        try {
          if (finished || controller.leaving) return;
          if ((await controller.submit(line)) === 'quit') finish(ended());
        } finally {
          if (!quit) held--;
        }
      });
    });
    rl.on('close', () => {
      bound();
      chain = chain.then(async () => {
        if (finished) return;
        await controller.quit();
        finish(ended());
      });
    });
  });
}
