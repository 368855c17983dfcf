// `parley account add`: create an account in a running server through its admin socket (`serve --admin-socket`).
import net from 'node:net';
import { parseArgs } from 'node:util';
import type { AdminAnswer } from '../server/admin.js';
import { CliError } from './errors.js';
import { readNewPassword, readPasswordFile } from './secrets.js';

const USAGE = `Usage: parley account add NAME --socket PATH [--password-file FILE]

Create the account NAME in the running server that listens on PATH
(parley serve --admin-socket PATH), as REGISTER would, without an IRC line
around the password: it may be up to 1024 bytes.

Options:
  -s, --socket PATH         the server's --admin-socket
  -p, --password-file FILE  read the password from FILE's first line (else: asked
                            twice at a terminal without echo, or one line from stdin)
  -h, --help                show this help

The account's name and password follow REGISTER's rules (a nick; at least
--password-min characters). Exit code 0: created; 1: the server refused (the
reason is printed) or is not there; 2: bad arguments.`;

export async function account(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        socket: { type: 'string', short: 's' },
        'password-file': { type: 'string', short: 'p' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new CliError(`${(err as Error).message.split('\n')[0]} (see parley account --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const [sub, name, ...extra] = positionals;
  if (sub !== 'add') {
    throw new CliError(
      sub === undefined
        ? 'account needs a subcommand: add (see parley account --help)'
        : `unknown account subcommand '${sub}' (see parley account --help)`,
    );
  }
  if (name === undefined) throw new CliError('account add needs the account NAME');
  if (extra.length > 0) throw new CliError(`account add takes one NAME, not '${extra.join(' ')}'`);
  const socket = values.socket;
  if (socket === undefined) {
    throw new CliError("account add needs --socket PATH (the server's --admin-socket)");
  }
  const password = await readPassword(values['password-file']);
  const answer = await ask(socket, { op: 'account-add', name, password });
  if (!answer.ok) throw new CliError(`account add: ${answer.message}`, 1);
  process.stdout.write(answer.message + '\n');
  return 0;
}

/** The password: FILE's first line, or asked for (twice at a terminal), never echoed. */
async function readPassword(file: string | undefined): Promise<string> {
  if (file === undefined) return readNewPassword('no account created');
  const password = readPasswordFile(file);
  if (password === '') throw new CliError('an empty password; no account created');
  return password;
}

/** Send one request to the admin socket and wait for its one answer. */
function ask(path: string, request: object): Promise<AdminAnswer> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(path);
    let got = '';
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(JSON.stringify(request) + '\n'));
    conn.on('data', (chunk: string) => (got += chunk));
    conn.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new CliError(
          `no parley server answers on ${path} (${err.code ?? err.message}); is it running with --admin-socket ${path}?`,
          1,
        ),
      ),
    );
    conn.on('end', () => {
      try {
        const answer = JSON.parse(got) as AdminAnswer;
        resolve(answer);
      } catch {
        reject(new CliError(`${path} answered something that is not parley's admin protocol`, 1));
      }
    });
  });
}
