// Trust on first use for `parley connect --tls`: look at the server's certificate once before chatting, pin a self-signed one (asking at a terminal), refuse a changed one.
//
//   CA-verified ─────────────────────────────> no pin needed (the normal checks apply)
//   self-signed / unknown issuer ─┬─ pinned, same fingerprint ──> pin
//                                 ├─ pinned, other fingerprint ─> loud warning, exit 1
//                                 └─ not pinned ─ terminal: ask yes/no; else accept-new: pin it,
//                                                 with a notice (ssh's StrictHostKeyChecking=accept-new)
//   anything else (expired, wrong name with a CA, no TLS, down) ─> no pin: the session says why
import { isIP } from 'node:net';
import { createInterface } from 'node:readline';
import tls from 'node:tls';
import { changedCertificate } from '../client/link.js';
import { addPin, findPin, type Pin } from '../client/known-hosts.js';
import { CliError } from './errors.js';

/** Verification errors that mean only "no CA vouches for it", which a pin can stand in for. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

const PROBE_TIMEOUT_MS = 10_000;

interface Probe {
  authorized: boolean;
  error: string | null;
  fingerprint: string;
}

/** One TLS handshake, to see the certificate; null when the server cannot be reached. */
function probe(host: string, port: number): Promise<Probe | null> {
  return new Promise((resolve) => {
    const s = tls.connect({
      host,
      port,
      servername: isIP(host) !== 0 ? undefined : host,
      rejectUnauthorized: false,
    });
    const done = (p: Probe | null) => {
      clearTimeout(timer);
      s.destroy();
      resolve(p);
    };
    const timer = setTimeout(() => done(null), PROBE_TIMEOUT_MS);
    s.once('secureConnect', () => {
      const cert = s.getPeerX509Certificate();
      const error = s.authorizationError;
      done({
        authorized: s.authorized,
        error: error === undefined || error === null ? null : String(error),
        fingerprint: cert?.fingerprint256 ?? '',
      });
    });
    s.once('error', () => done(null));
  });
}

export interface TrustOptions {
  host: string;
  port: number;
  file: string;
  /** A person at a terminal can be asked; otherwise a new host is accepted with a notice. */
  interactive: boolean;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/** The pin the session should use, or null to rely on the normal checks. Throws on a changed certificate or a "no". */
export async function settleTrust(o: TrustOptions): Promise<Pin | null> {
  const known = findKnown(o);
  const seen = await probe(o.host, o.port);
  if (seen === null || seen.authorized || seen.error === null || !UNTRUSTED.has(seen.error)) {
    return null;
  }
  const where = `${o.host}:${o.port}`;
  if (known !== null) {
    if (known.fingerprint === seen.fingerprint) return known;
    throw new CliError(changedCertificate(where, known, seen.fingerprint), 1);
  }
  const about = [
    `The TLS certificate of ${where} is not signed by an authority this machine trusts (${seen.error}).`,
    `  SHA-256 fingerprint: ${seen.fingerprint}`,
    'Compare it with the one `parley cert` printed on the server.',
  ].join('\n');
  if (o.interactive) {
    o.output.write(about + '\n');
    if (!(await askYes(o, 'Trust it and remember it? (yes/no) '))) {
      throw new CliError(`not connecting: the certificate of ${where} was not trusted`, 1);
    }
  }
  let pin: Pin;
  try {
    pin = addPin(o.file, o.host, o.port, seen.fingerprint);
  } catch (err) {
    throw new CliError(
      `--known-hosts: cannot record the certificate in ${o.file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  if (!o.interactive) {
    o.output.write(
      `parley: trusting the certificate of ${where} on first use: ${seen.fingerprint} (recorded in ${pin.file}:${pin.line})\n`,
    );
  }
  return pin;
}

function findKnown(o: TrustOptions): Pin | null {
  try {
    return findPin(o.file, o.host, o.port);
  } catch (err) {
    throw new CliError(
      `--known-hosts: cannot read ${o.file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
}

async function askYes(o: TrustOptions, question: string): Promise<boolean> {
  const rl = createInterface({ input: o.input, output: o.output });
  try {
    for (;;) {
      const answer = await new Promise<string | null>((resolve) => {
        rl.question(question, resolve);
        rl.once('close', () => resolve(null));
      });
      if (answer === null) return false;
      const a = answer.trim().toLowerCase();
      if (a === 'yes' || a === 'y') return true;
      if (a === 'no' || a === 'n' || a === '') return false;
      o.output.write("Please answer 'yes' or 'no'.\n");
    }
  } finally {
    rl.close();
  }
}
