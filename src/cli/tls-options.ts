// `parley serve`'s TLS options: reading and checking the certificate and key files, the TLS port default, and the STS duration.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { DEFAULT_TLS_PORT, type TlsConfig } from '../server/config.js';
import { CliError, OptionError } from './errors.js';

/** What the option table gathers for TLS before finishTls() checks it as a whole. */
export interface TlsDraft {
  tlsPort: number | null;
  tlsCertFile: string | null;
  tlsKeyFile: string | null;
}

function readPem(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new OptionError(
      flag,
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
}

/**
 * The TLS settings, or null without --tls-cert and --tls-key. Files are read and checked here, so
 * a missing, unreadable, malformed or mismatched pair stops the server (exit 2) naming the flag,
 * and a SIGHUP that finds a broken pair keeps the running one.
 */
export function finishTls(d: TlsDraft): TlsConfig | null {
  const { tlsCertFile: certFile, tlsKeyFile: keyFile } = d;
  if (certFile === null && keyFile === null) {
    if (d.tlsPort !== null) {
      throw new OptionError('tls-port', 'needs --tls-cert and --tls-key (parley cert makes them)');
    }
    return null;
  }
  if (certFile === null) throw new OptionError('tls-key', 'needs --tls-cert as well');
  if (keyFile === null) throw new OptionError('tls-cert', 'needs --tls-key as well');
  const cert = readPem('tls-cert', certFile);
  const key = readPem('tls-key', keyFile);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new OptionError('tls-cert', `${certFile} is not a PEM certificate`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new OptionError(
      'tls-key',
      `${keyFile} is not a PEM private key (a key protected by a passphrase is not supported)`,
    );
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new OptionError('tls-key', `${keyFile} is not the key of the certificate in --tls-cert`);
  }
  try {
    createSecureContext({ cert, key, minVersion: 'TLSv1.2' });
  } catch (err) {
    throw new CliError(`--tls-cert, --tls-key: cannot be used for TLS: ${(err as Error).message}`);
  }
  return { port: d.tlsPort ?? DEFAULT_TLS_PORT, cert, key };
}

const DAY = 24 * 3600;
const STS_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: DAY };

/** `off`, or seconds: `2592000`, `30d`, `12h`; 0 tells clients to forget the policy. */
export function parseStsDuration(raw: string): number | null {
  if (raw === 'off' || raw === 'none') return null;
  const m = /^(\d+)\s*([smhd]?)$/i.exec(raw.trim());
  if (m === null) {
    throw new OptionError(
      'sts-duration',
      `expected seconds like 2592000 or 30d, or off, got '${raw}'`,
    );
  }
  const seconds = Number(m[1]) * STS_UNITS[m[2].toLowerCase()];
  if (seconds > 3650 * DAY) {
    throw new OptionError('sts-duration', `must be at most 3650d, got '${raw}'`);
  }
  return seconds;
}
