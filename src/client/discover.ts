// `parley connect --discover`: browse the local network for DNS-SD `_irc._tcp` services over mDNS.
import { EventEmitter } from 'node:events';
import { isIPv4 } from 'node:net';
import { Bonjour, type Service } from 'bonjour-service';

/** The DNS-SD service type, without underscores: `_irc._tcp.local`. */
export const SERVICE_TYPE = 'irc';
/** How often the browse question is asked again while listening (a lost packet is not fatal). */
const REQUERY_MS = 1000;

/** A server found on the network. Every string here came from the network: sanitise to show it. */
export interface FoundServer {
  /** The DNS-SD instance name (the server's name, for parley). */
  name: string;
  /** The address to connect to. */
  address: string;
  port: number;
  /** The SRV target host name. */
  hostname: string;
  /** Every address the server announced. */
  addresses: string[];
  /** The TXT record's key/value pairs, keys lower-cased, in the order they came. */
  txt: Record<string, string>;
  /** The TXT record says the port speaks TLS (`tls=1`). */
  tls: boolean;
}

export interface DiscoverOptions {
  /** How long to listen, in milliseconds. */
  timeMs: number;
  /** Browse only on the interface with this IPv4 address (null: every interface). */
  iface?: string | null;
  /** Stop listening as soon as this many servers are found (null: listen for all of timeMs). */
  count?: number | null;
}

/** mDNS could not be used at all (UDP port 5353 refused): a one-line reason. */
export class DiscoverError extends Error {}

/**
 * Decode TXT strings (RFC 6763 §6): `key=value`, the key up to the first '=' and compared
 * case-insensitively, the first occurrence winning; a key without '=' is a flag (value '').
 */
export function decodeTxtStrings(strings: readonly Uint8Array[]): Record<string, string> {
  const txt: Record<string, string> = {};
  for (const raw of strings) {
    const text = Buffer.from(raw).toString('utf8');
    const eq = text.indexOf('=');
    const key = (eq === -1 ? text : text.slice(0, eq)).toLowerCase();
    if (key === '' || Object.hasOwn(txt, key)) continue;
    txt[key] = eq === -1 ? '' : text.slice(eq + 1);
  }
  return txt;
}

/**
 * Where to connect: the address the announcement came from when it is one of the announced
 * addresses (or none was announced, as for a server on loopback), else the first IPv4 one.
 * The library lists every interface's address, some of which the client may not reach.
 */
export function pickAddress(addresses: readonly string[], referer: string | null): string | null {
  if (referer !== null && (addresses.length === 0 || addresses.includes(referer))) return referer;
  return addresses.find((a) => isIPv4(a)) ?? addresses[0] ?? referer;
}

/** A browsed service as a FoundServer, or null when it lacks a port or an address. */
export function toFoundServer(s: Service): FoundServer | null {
  const referer = s.referer?.address ?? null;
  const addresses = (s.addresses ?? []).filter((a): a is string => typeof a === 'string');
  const address = pickAddress(addresses, referer);
  if (address === null || !Number.isInteger(s.port) || s.port < 1 || s.port > 65535) return null;
  const txt = txtOf(s);
  return {
    name: String(s.name),
    address,
    port: s.port,
    hostname: typeof s.host === 'string' ? s.host : '',
    addresses,
    txt,
    tls: txt.tls === '1',
  };
}

/** The TXT pairs of a browsed service: from its raw strings when the library kept them. */
function txtOf(s: Service): Record<string, string> {
  const raw: unknown = (s as { rawTxt?: unknown }).rawTxt;
  if (Array.isArray(raw) && raw.every((b) => b instanceof Uint8Array)) return decodeTxtStrings(raw);
  const txt: Record<string, string> = {};
  const decoded: unknown = s.txt;
  if (decoded !== null && typeof decoded === 'object') {
    for (const [k, v] of Object.entries(decoded)) {
      if (typeof v === 'string') txt[k.toLowerCase()] = v;
    }
  }
  return txt;
}

/** The internals of bonjour-service that hold the socket's event emitter (errors arrive there). */
interface BonjourInternals {
  server?: { mdns?: unknown };
}

/**
 * Listen for `_irc._tcp` servers for `timeMs` (or until `count` are found) and return those
 * found, sorted by name then address. Rejects with DiscoverError only when mDNS cannot be used.
 */
export function discoverServers(opts: DiscoverOptions): Promise<FoundServer[]> {
  const iface = opts.iface ?? null;
  const count = opts.count ?? null;
  // A specific interface: the socket still binds 0.0.0.0, or Linux would not deliver multicast.
  // (The constructor forwards these to multicast-dns, though its typings name service fields.)
  const socketOpts = (
    iface === null ? {} : { interface: iface, bind: '0.0.0.0' }
  ) as ConstructorParameters<typeof Bonjour>[0];
  const bonjour = new Bonjour(socketOpts, () => {
    // a failed answer to someone else's question: nothing for a browser to do
  });
  return new Promise<FoundServer[]>((resolve, reject) => {
    const mdns = (bonjour as unknown as BonjourInternals).server?.mdns;
    const browser = bonjour.find({ type: SERVICE_TYPE });
    const requery = setInterval(() => browser.update(), REQUERY_MS);
    const timer = setTimeout(() => finish(null), opts.timeMs);
    if (count !== null) {
      browser.on('up', () => {
        const usable = browser.services.filter((s) => toFoundServer(s) !== null).length;
        // Not from inside the library's own response handler: it goes on using the browser.
        if (usable >= count) setImmediate(() => finish(null));
      });
    }
    let done = false;
    function finish(err: NodeJS.ErrnoException | null) {
      if (done) return;
      done = true;
      clearInterval(requery);
      clearTimeout(timer);
      browser.stop();
      const services = browser.services;
      bonjour.destroy();
      if (err !== null) {
        reject(
          new DiscoverError(`cannot listen for mDNS on UDP port 5353 (${err.code ?? err.message})`),
        );
        return;
      }
      const found = services
        .map(toFoundServer)
        .filter((s): s is FoundServer => s !== null)
        .sort((a, b) => a.name.localeCompare(b.name) || a.address.localeCompare(b.address));
      resolve(found);
    }
    if (mdns instanceof EventEmitter) {
      mdns.on('error', (err: NodeJS.ErrnoException) => finish(err));
      mdns.on('warning', () => {
        // an interface that refused the multicast group, or a malformed packet: ignore
      });
    }
  });
}
