// Reading passwords for the CLI: typed without echo, or a file's first line; never shown in a message.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CliError } from './errors.js';

/** One line from stdin; at a terminal, after `prompt` on stderr and without echoing what is typed. */
export function readSecret(prompt: string | null): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, terminal: prompt !== null });
    if (prompt !== null) {
      process.stderr.write(prompt);
      // Echo nothing of the password (readline writes through this).
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
    }
    let got = false;
    rl.once('line', (line) => {
      got = true;
      if (prompt !== null) process.stderr.write('\n');
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!got) resolve('');
    });
  });
}

/**
 * A new password: asked twice at a terminal (without echo), else one line from stdin. Two that
 * differ, or an empty one, is a CliError ending with `outcome` ("nothing printed").
 */
export async function readNewPassword(outcome: string): Promise<string> {
  const tty = process.stdin.isTTY === true;
  const password = await readSecret(tty ? 'Password: ' : null);
  if (tty && (await readSecret('Again: ')) !== password) {
    throw new CliError(`the two passwords differ; ${outcome}`);
  }
  if (password === '') throw new CliError(`an empty password; ${outcome}`);
  return password;
}

/** The first line of `file` (--password-file), or a CliError naming the file. */
export function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError(`--password-file: cannot read ${file} (${code})`);
  }
  return text.split(/\r?\n/)[0];
}
