// The client's known-hosts file: one pinned TLS certificate fingerprint per `host:port`, as ssh keeps host keys.
//
// Format, one entry a line: `host:port SHA-256-fingerprint` (IPv6 hosts in brackets); `#` starts
// a comment. The first entry for a host:port wins; lines the parser does not understand are kept
// and skipped, so a hand edit never loses the rest of the file.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { parleyConfigDir } from './xdg.js';
import path from 'node:path';

/** A pinned certificate and where it is written, so a warning can say which line to remove. */
export interface Pin {
  fingerprint: string;
  file: string;
  line: number;
}

/** `$XDG_CONFIG_HOME/parley/known_hosts`, else `~/.config/parley/known_hosts`. */
export function defaultKnownHostsFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(parleyConfigDir(env), 'known_hosts');
}

/** How a host and port are written in the file. */
export function hostKey(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host.toLowerCase()}:${port}`;
}

const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/** The pin for `host:port` in `file`, or null (no file, or no entry). */
export function findPin(file: string, host: string, port: number): Pin | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const key = hostKey(host, port);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const [name, fp] = lines[i].trim().split(/\s+/);
    if (name === key && fp !== undefined && FINGERPRINT.test(fp.toUpperCase())) {
      return { fingerprint: fp.toUpperCase(), file, line: i + 1 };
    }
  }
  return null;
}

/** Append a pin (creating the file and its folder, readable by its owner only). */
export function addPin(file: string, host: string, port: number, fingerprint: string): Pin {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let before = '';
  try {
    before = readFileSync(file, 'utf8');
  } catch {
    // a new file
  }
  const sep = before === '' || before.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${sep}${hostKey(host, port)} ${fingerprint}\n`, { mode: 0o600 });
  return { fingerprint, file, line: (before + sep).split('\n').length };
}
