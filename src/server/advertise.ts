// `parley serve --advertise`: announce the running server on the local network as a DNS-SD `_irc._tcp` service over mDNS.
import { EventEmitter } from 'node:events';
import { isIPv4 } from 'node:net';
import { Bonjour, type Service } from 'bonjour-service';
import type { Logger } from './diagnostics.js';

/** The DNS-SD service type, without underscores: `_irc._tcp.local`. */
export const SERVICE_TYPE = 'irc';

/** One TXT string (`key=value`) is at most 255 bytes (RFC 6763 §6.1). */
const TXT_STRING_MAX = 255;
/** An instance name is one DNS label: at most 63 bytes. */
const LABEL_MAX = 63;
/** How long to listen for other servers of the same name before announcing. */
const DEFAULT_CONFLICT_CHECK_MS = 1000;

/** What the TXT record tells a client before it connects. */
export interface AdvertisedInfo {
  network: string;
  version: string;
  tls: boolean;
  /** The channel everyone joins on arrival ('' for none). */
  channel: string;
  /** Whether a connection password (PASS) is required. */
  password: boolean;
}

/** The TXT record's key/value pairs, in order; each `key=value` clipped to 255 bytes. */
export function encodeTxt(info: AdvertisedInfo): Record<string, string> {
  const pairs: [string, string][] = [
    ['txtvers', '1'],
    ['network', info.network],
    ['version', info.version],
    ['tls', info.tls ? '1' : '0'],
    ['password', info.password ? '1' : '0'],
  ];
  if (info.channel !== '') pairs.push(['channel', info.channel]);
  const txt: Record<string, string> = {};
  for (const [key, value] of pairs) {
    txt[key] = clipBytes(value, TXT_STRING_MAX - Buffer.byteLength(key) - 1);
  }
  return txt;
}

/**
 * The instance name to announce: `wanted` as one DNS label (the library turns dots into dashes),
 * or, if another server on the network already uses it, `wanted (2)`, `wanted (3)`... as
 * DNS-SD suggests (RFC 6763 §4.1). Names compare case-insensitively, as DNS does.
 */
export function uniqueInstanceName(wanted: string, taken: Iterable<string>): string {
  const base = wanted.split('.').join('-');
  const used = new Set([...taken].map((n) => n.toLowerCase()));
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : ` (${n})`;
    const name = clipBytes(base, LABEL_MAX - Buffer.byteLength(suffix)) + suffix;
    if (!used.has(name.toLowerCase())) return name;
  }
}

/**
 * The multicast-dns socket options for a listen address: a specific IPv4 address confines the
 * announcement to that address's interface (the socket still binds 0.0.0.0, or Linux would
 * not deliver multicast to it); anything else announces on every interface the OS gives.
 */
export function mdnsOptions(host: string | null): { interface?: string; bind?: string } {
  if (host !== null && isIPv4(host) && host !== '0.0.0.0')
    return { interface: host, bind: '0.0.0.0' };
  return {};
}

/** `text` cut to at most `max` UTF-8 bytes, never inside a character. */
function clipBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const b = Buffer.byteLength(ch);
    if (bytes + b > max) break;
    out += ch;
    bytes += b;
  }
  return out;
}

export interface AdvertiseOptions {
  /** The wanted instance name (the server name by default). */
  name: string;
  /** The address the server listens on (chooses the interface; see mdnsOptions). */
  host: string;
  port: number;
  info: AdvertisedInfo;
  log: Logger;
  /** Listen this long for a server already using the name (tests shorten it). */
  conflictCheckMs?: number;
}

/** The internals of bonjour-service that hold the socket's event emitter (errors arrive there). */
interface BonjourInternals {
  server?: { mdns?: unknown };
}

/** A running announcement; stop() sends the goodbye (TTL 0) so browsers drop it at once. */
export class Advertiser {
  private readonly bonjour: Bonjour;
  private service: Service | null = null;
  private stopped = false;
  private failed = false;
  private readonly warned = new Set<string>();
  /** The name actually announced (set once the conflict check is over). */
  name: string | null = null;

  private constructor(private readonly opts: AdvertiseOptions) {
    // The constructor forwards its options to multicast-dns (interface, bind), though its typings
    // name the service fields.
    const socketOpts = mdnsOptions(opts.host) as ConstructorParameters<typeof Bonjour>[0];
    this.bonjour = new Bonjour(socketOpts, (err: unknown) => this.sendFailed(err));
    const mdns = (this.bonjour as unknown as BonjourInternals).server?.mdns;
    if (mdns instanceof EventEmitter) {
      // 'error': the UDP socket could not bind port 5353 (EACCES, EADDRINUSE); unhandled it would
      // crash the server. 'warning': an interface refused the multicast group, a bad packet...
      mdns.on('error', (err: NodeJS.ErrnoException) => this.socketFailed(err));
      mdns.on('warning', (err: Error) => opts.log.debug({}, `mDNS: ${err.message}`));
    }
  }

  /** Start announcing in the background; problems are logged, never thrown. */
  static start(opts: AdvertiseOptions): Advertiser {
    const a = new Advertiser(opts);
    void a.run();
    return a;
  }

  private async run(): Promise<void> {
    const { log, port, info } = this.opts;
    const taken = await this.namesInUse(this.opts.conflictCheckMs ?? DEFAULT_CONFLICT_CHECK_MS);
    if (this.stopped || this.failed) return;
    const name = uniqueInstanceName(this.opts.name, taken);
    if (name.toLowerCase() !== this.opts.name.split('.').join('-').toLowerCase()) {
      log.info({}, `mDNS: another server here is already called '${this.opts.name}'`);
    }
    this.name = name;
    this.service = this.bonjour.publish({
      name,
      type: SERVICE_TYPE,
      port,
      txt: encodeTxt(info),
      // Our own check above replaces the library's probe, which prints a stack trace on conflict.
      probe: false,
      disableIPv6: this.opts.host === '0.0.0.0' || isIPv4(this.opts.host),
    });
    const where = mdnsOptions(this.opts.host).interface ?? 'every interface';
    log.info({}, `advertising '${name}' as _irc._tcp on port ${port} (mDNS, ${where})`);
  }

  /** Browse our own service type for a moment and collect the instance names already in use. */
  private namesInUse(ms: number): Promise<string[]> {
    return new Promise((resolve) => {
      const browser = this.bonjour.find({ type: SERVICE_TYPE });
      const again = setTimeout(() => browser.update(), ms / 2);
      setTimeout(() => {
        clearTimeout(again);
        browser.stop();
        resolve(browser.services.map((s) => s.name));
      }, ms);
    });
  }

  /** Withdraw the announcement (goodbye packets) and close the socket. */
  stop(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    return new Promise<void>((resolve) => {
      // A socket that never bound calls back on nothing: do not hold up the shutdown for it.
      const timer = setTimeout(finish, 1000);
      let done = false;
      const bonjour = this.bonjour;
      function finish() {
        if (done) return;
        done = true;
        clearTimeout(timer);
        try {
          bonjour.destroy();
        } catch {
          // already closed
        }
        resolve();
      }
      if (this.service === null || this.failed) finish();
      else this.bonjour.unpublishAll(() => finish());
    });
  }

  private socketFailed(err: NodeJS.ErrnoException): void {
    if (this.failed) return;
    this.failed = true;
    this.opts.log.warn(
      {},
      `mDNS: cannot use UDP port 5353 (${err.code ?? err.message}); the server is not advertised`,
    );
  }

  private sendFailed(err: unknown): void {
    const e = err as NodeJS.ErrnoException;
    const code = e.code ?? e.message;
    if (this.warned.has(code)) return;
    this.warned.add(code);
    this.opts.log.warn({}, `mDNS: cannot send an announcement (${code}); check multicast routing`);
  }
}
