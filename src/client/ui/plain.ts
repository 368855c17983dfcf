// Plain mode: one line in per message, one line out per event, no escape codes — for pipes and scripts.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ChatController, View } from '../app.js';
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
 * (bad password, untrusted certificate...).
 */
export function runPlain(
  controller: ChatController,
  session: ClientSession,
  input: Readable,
): Promise<number> {
  return new Promise((resolve) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      rl.close();
      resolve(code);
    };
    session.onEvent((e) => {
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
      chain = chain.then(async () => {
        if (finished || controller.leaving) return;
        if ((await controller.submit(line)) === 'quit') finish(0);
      });
    });
    rl.on('close', () => {
      chain = chain.then(async () => {
        if (finished) return;
        await controller.quit();
        finish(0);
      });
    });
  });
}
