// One connection's socket: TCP or TLS connect, CR LF framing, UTF-8 decoding (Latin-1 fallback), and one readable reason when it ends.
//
//   connecting ──(TCP [+ TLS] up)──> open ──(EOF / error / destroy)──> closed   (`closed` fires once)
//        └──────────(refused / TLS refused / timeout)─────────────────────┘
import { isUtf8 } from 'node:buffer';
import net from 'node:net';
import tls from 'node:tls';
import type { Pin } from './known-hosts.js';

export interface LinkOptions {
  host: string;
  port: number;
  tls: boolean;
  /** Accept any certificate (self-signed, wrong name, expired). */
  tlsInsecure: boolean;
  /**
   * A certificate pinned on first use (known-hosts.ts): accepted when it presents exactly this
   * fingerprint, even though no CA vouches for it; any other untrusted certificate is fatal.
   */
  pin?: Pin | null;
}

export interface LinkEvents {
  /** TCP (and TLS, when asked) is up; lines may be written. */
  open(): void;
  /** One line without its CR LF. */
  line(line: string): void;
  /**
   * The link is gone, once. `fatal` means retrying cannot help (untrusted certificate, no TLS on
   * that port), so the caller should not reconnect.
   */
  closed(reason: string, fatal: boolean): void;
}

/** An unfinished line longer than this (tags included) is dropped rather than buffered forever. */
const MAX_PENDING_BYTES = 64 * 1024;

export class Link {
  private readonly socket: net.Socket;
  private pending: Buffer = Buffer.alloc(0);
  private discarding = false;
  private tcpUp = false;
  private isOpen = false;
  private done = false;
  /** Set by `fail()` so the reason of a deliberate destroy wins over the socket's own error. */
  private forced: { reason: string; fatal: boolean } | null = null;
  private firstError: { reason: string; fatal: boolean } | null = null;

  constructor(
    private readonly opts: LinkOptions,
    private readonly events: LinkEvents,
  ) {
    if (opts.tls) {
      const s = tls.connect({
        host: opts.host,
        port: opts.port,
        servername: net.isIP(opts.host) === 0 ? opts.host : undefined,
        // With a pin, verification is ours (checkPin), after the handshake.
        rejectUnauthorized: !opts.tlsInsecure && (opts.pin ?? null) === null,
      });
      s.once('secureConnect', () => {
        if (this.checkPin(s)) this.onOpen();
      });
      this.socket = s;
    } else {
      this.socket = net.connect({ host: opts.host, port: opts.port });
      this.socket.once('connect', () => this.onOpen());
    }
    this.socket.once('connect', () => (this.tcpUp = true));
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err: NodeJS.ErrnoException) => {
      this.firstError ??= this.describe(err);
    });
    this.socket.on('end', () => this.socket.end());
    this.socket.on('close', () => this.onClose());
  }

  /** True once TCP is connected but the TLS handshake has not finished (for timeout messages). */
  get handshaking(): boolean {
    return this.opts.tls && this.tcpUp && !this.isOpen;
  }

  get open(): boolean {
    return this.isOpen && !this.done;
  }

  /** Send one line; CR, LF and NUL must already be gone. Dropped silently once closed. */
  write(line: string): void {
    if (!this.open) return;
    this.socket.write(line + '\r\n');
  }

  /** Close the link now with `reason` (ping timeout, connect timeout, close()). */
  fail(reason: string, fatal = false): void {
    if (this.done) return;
    this.forced ??= { reason, fatal };
    this.socket.destroy();
  }

  private onOpen(): void {
    if (this.done) return;
    this.isOpen = true;
    this.socket.setNoDelay(true);
    this.socket.setKeepAlive(true, 60_000);
    this.events.open();
  }

  /** A certificate no CA vouches for must be the pinned one; a changed one is fatal, loudly. */
  private checkPin(s: tls.TLSSocket): boolean {
    const pin = this.opts.pin ?? null;
    if (pin === null || this.opts.tlsInsecure || s.authorized) return true;
    const presented = s.getPeerX509Certificate()?.fingerprint256 ?? 'none';
    if (presented === pin.fingerprint) return true;
    this.fail(changedCertificate(this.where(), pin, presented), true);
    return false;
  }

  private onData(chunk: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl === -1) break;
      const end = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      if (this.discarding) this.discarding = false;
      else if (end > start) this.events.line(decode(buf.subarray(start, end)));
      start = nl + 1;
      if (this.done || this.forced !== null) return; // a handler closed the link
    }
    buf = buf.subarray(start);
    if (buf.length > MAX_PENDING_BYTES) {
      this.discarding = true;
      buf = Buffer.alloc(0);
    }
    this.pending = Buffer.from(buf);
  }

  private onClose(): void {
    if (this.done) return;
    this.done = true;
    const wasOpen = this.isOpen;
    this.isOpen = false;
    const how = this.forced ??
      this.firstError ?? {
        reason: wasOpen ? 'the server closed the connection' : this.unopenedReason(),
        fatal: this.opts.tls && this.tcpUp && !wasOpen,
      };
    this.events.closed(how.reason, how.fatal);
  }

  private unopenedReason(): string {
    return this.opts.tls && this.tcpUp
      ? `TLS handshake with ${this.where()} failed: is the server speaking TLS on this port?`
      : `could not connect to ${this.where()}`;
  }

  private where(): string {
    return `${this.opts.host}:${this.opts.port}`;
  }

  /** One line a person can act on, and whether retrying is pointless. */
  private describe(err: NodeJS.ErrnoException & { reason?: string }): {
    reason: string;
    fatal: boolean;
  } {
    const code = err.code ?? '';
    // OpenSSL errors carry a short `reason` ("wrong version number"); their message spans lines.
    const detail = err.reason ?? err.message.split('\n')[0];
    const where = this.where();
    if (this.opts.tls && !this.isOpen) {
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME|ALTNAME/.test(code)) {
        return {
          reason: `TLS certificate of ${where} not trusted (${detail}); use --tls-insecure to accept a self-signed certificate`,
          fatal: true,
        };
      }
      if (this.tcpUp || /^ERR_SSL|^ERR_TLS/.test(code)) {
        return {
          reason: `TLS handshake with ${where} failed (${detail}): is the server speaking TLS on this port?`,
          fatal: true,
        };
      }
    }
    switch (code) {
      case 'ECONNREFUSED':
        return { reason: `connection refused by ${where}`, fatal: false };
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return { reason: `cannot resolve host ${this.opts.host}`, fatal: false };
      case 'ECONNRESET':
        return { reason: 'connection reset by the server', fatal: false };
      case 'ETIMEDOUT':
        return { reason: `connection to ${where} timed out`, fatal: false };
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return { reason: `${where} is unreachable`, fatal: false };
      case 'EPIPE':
        return { reason: 'the server closed the connection', fatal: false };
      default:
        return { reason: `connection error: ${detail}`, fatal: false };
    }
  }
}

/** The warning for a certificate that differs from its pin: what changed, and what to do if on purpose. */
export function changedCertificate(where: string, pin: Pin, presented: string): string {
  return [
    `WARNING: the TLS certificate of ${where} has CHANGED since it was trusted; someone may be intercepting the connection. Not connecting.`,
    `  trusted:   ${pin.fingerprint} (${pin.file}:${pin.line})`,
    `  presented: ${presented}`,
    `If the server's certificate was replaced on purpose, remove line ${pin.line} of ${pin.file} and connect again.`,
  ].join('\n');
}

/** UTF-8 when it is valid, else Latin-1 (old clients and servers), so no byte is ever lost. */
function decode(bytes: Buffer): string {
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes.toString('latin1');
}
