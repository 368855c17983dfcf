// `parley cert`: write a self-signed certificate and key for a LAN server, print its fingerprint and the `parley serve` line that uses them.
import { closeSync, existsSync, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeCertificate } from './certgen.js';
import { CliError } from './errors.js';
import { optionRows } from './help.js';
import { parseInteger } from './units.js';

export const CERT_FILE = 'parley-cert.pem';
export const KEY_FILE = 'parley-key.pem';
/** 825 days: the longest validity Apple's TLS clients accept for a server certificate. */
const DEFAULT_DAYS = 825;

function certHelp(): string {
  return [
    'Usage: parley cert [options]',
    '',
    `Write a self-signed TLS certificate (${CERT_FILE}) and its key (${KEY_FILE}, mode 0600)`,
    'for a server on a local network, and print its SHA-256 fingerprint and the',
    '`parley serve` command line that uses them. Clients pin it on first use.',
    '',
    ...optionRows(
      [
        { left: '      --out DIR', text: 'where to write the two files [the current directory]' },
        {
          left: '      --name HOST',
          text: "a name or address clients use for the server; repeat for more [this machine's hostname, localhost, 127.0.0.1, ::1]",
        },
        { left: '      --days N', text: `how long it is valid [${DEFAULT_DAYS}]` },
        { left: '      --force', text: 'replace files that already exist' },
        { left: '  -h, --help', text: 'show this help' },
      ],
      24,
    ),
    '',
    'Example:',
    '  parley cert --name chat.lan --name 192.168.1.20',
  ].join('\n');
}

export async function cert(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        out: { type: 'string' },
        name: { type: 'string', multiple: true },
        days: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message.split('\n')[0]} (see parley cert --help)`);
  }
  if (values.help === true) {
    process.stdout.write(certHelp() + '\n');
    return 0;
  }
  const days =
    values.days === undefined ? DEFAULT_DAYS : parseInteger('days', values.days, 1, 36500);
  const names = values.name ?? [hostname(), 'localhost', '127.0.0.1', '::1'];
  const unique = [...new Set(names.map((n) => n.trim()))];
  for (const n of unique) {
    if (!/^[A-Za-z0-9.:_*-]+$/.test(n)) {
      throw new CliError(`--name: '${n}' is not a host name or IP address`);
    }
  }
  const dir = path.resolve(values.out ?? '.');
  const certPath = path.join(dir, CERT_FILE);
  const keyPath = path.join(dir, KEY_FILE);
  if (values.force !== true) {
    for (const p of [certPath, keyPath]) {
      if (existsSync(p)) throw new CliError(`${p} exists: use --force to replace it, or --out DIR`);
    }
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new CliError(
      `--out: cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  const made = makeCertificate(unique, days);
  writeFile(keyPath, made.key, 0o600);
  writeFile(certPath, made.cert, 0o644);
  const quote = (p: string) => (/^[\w./:-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);
  process.stdout.write(
    [
      `wrote ${certPath} and ${keyPath} (valid ${days} days for ${unique.join(', ')})`,
      `SHA-256 fingerprint: ${made.fingerprint}`,
      'start the server with:',
      `  parley serve --tls-cert ${quote(certPath)} --tls-key ${quote(keyPath)}`,
      'clients: parley connect HOST --tls (they show this fingerprint on first use)',
      '',
    ].join('\n'),
  );
  return 0;
}

/** Write `text` to `file` with `mode`, including when it replaces a file (--force). */
function writeFile(file: string, text: string, mode: number): void {
  let fd: number;
  try {
    fd = openSync(file, 'w', mode);
  } catch (err) {
    throw new CliError(
      `--out: cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  try {
    // A replaced file keeps its old mode through open(): set it while the file is still empty, so
    // the key is never readable by others.
    fchmodSync(fd, mode);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
