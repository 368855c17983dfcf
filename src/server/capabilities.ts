// The IRCv3 capabilities this server offers, as bits on a client for cheap checks on the hot path.
import { CAP, SASL_MECHANISMS, type CapName } from '../protocol/index.js';
import { MULTILINE_MAX_BYTES, MULTILINE_MAX_LINES } from './limits.js';

export const CAPBIT = {
  CAP_NOTIFY: 1 << 0,
  MESSAGE_TAGS: 1 << 1,
  SERVER_TIME: 1 << 2,
  ECHO_MESSAGE: 1 << 3,
  MULTI_PREFIX: 1 << 4,
  USERHOST_IN_NAMES: 1 << 5,
  AWAY_NOTIFY: 1 << 6,
  EXTENDED_MONITOR: 1 << 7,
  LABELED_RESPONSE: 1 << 8,
  BATCH: 1 << 9,
  STANDARD_REPLIES: 1 << 10,
  SETNAME: 1 << 11,
  CHANNEL_RENAME: 1 << 12,
  MULTILINE: 1 << 13,
  CHATHISTORY: 1 << 14,
  ACCOUNT_TAG: 1 << 15,
  SASL: 1 << 16,
  ACCOUNT_NOTIFY: 1 << 17,
  EXTENDED_JOIN: 1 << 18,
  ACCOUNT_REGISTRATION: 1 << 19,
  READ_MARKER: 1 << 20,
  MESSAGE_REDACTION: 1 << 21,
} as const;

export interface Offer {
  name: CapName;
  bit: number;
  /** The CAP LS 302 value, if any. */
  value?: string;
  /** Offered only by a server that keeps a store (`--db` not off). */
  store?: true;
}

/** Offered capabilities in CAP LS order. Only what the server implements. */
export const OFFERED: readonly Offer[] = [
  { name: CAP.ACCOUNT_NOTIFY, bit: CAPBIT.ACCOUNT_NOTIFY, store: true },
  { name: CAP.ACCOUNT_TAG, bit: CAPBIT.ACCOUNT_TAG, store: true },
  { name: CAP.AWAY_NOTIFY, bit: CAPBIT.AWAY_NOTIFY },
  { name: CAP.BATCH, bit: CAPBIT.BATCH },
  { name: CAP.CAP_NOTIFY, bit: CAPBIT.CAP_NOTIFY },
  { name: CAP.CHANNEL_RENAME, bit: CAPBIT.CHANNEL_RENAME },
  { name: CAP.CHATHISTORY, bit: CAPBIT.CHATHISTORY, store: true },
  // The account may be named apart from the nick; `before-connect` is added by offeredCaps when
  // --register-before-connect is on.
  {
    name: CAP.ACCOUNT_REGISTRATION,
    bit: CAPBIT.ACCOUNT_REGISTRATION,
    value: 'custom-account-name',
    store: true,
  },
  { name: CAP.ECHO_MESSAGE, bit: CAPBIT.ECHO_MESSAGE },
  { name: CAP.EXTENDED_JOIN, bit: CAPBIT.EXTENDED_JOIN, store: true },
  { name: CAP.EXTENDED_MONITOR, bit: CAPBIT.EXTENDED_MONITOR },
  { name: CAP.LABELED_RESPONSE, bit: CAPBIT.LABELED_RESPONSE },
  { name: CAP.MESSAGE_REDACTION, bit: CAPBIT.MESSAGE_REDACTION, store: true },
  { name: CAP.MESSAGE_TAGS, bit: CAPBIT.MESSAGE_TAGS },
  {
    name: CAP.MULTILINE,
    bit: CAPBIT.MULTILINE,
    value: `max-bytes=${MULTILINE_MAX_BYTES},max-lines=${MULTILINE_MAX_LINES}`,
  },
  { name: CAP.MULTI_PREFIX, bit: CAPBIT.MULTI_PREFIX },
  { name: CAP.READ_MARKER, bit: CAPBIT.READ_MARKER, store: true },
  { name: CAP.SASL, bit: CAPBIT.SASL, value: SASL_MECHANISMS.join(','), store: true },
  { name: CAP.SERVER_TIME, bit: CAPBIT.SERVER_TIME },
  { name: CAP.SETNAME, bit: CAPBIT.SETNAME },
  { name: CAP.STANDARD_REPLIES, bit: CAPBIT.STANDARD_REPLIES },
  { name: CAP.USERHOST_IN_NAMES, bit: CAPBIT.USERHOST_IN_NAMES },
];

const WITHOUT_STORE = OFFERED.filter((c) => c.store !== true);
/** OFFERED with REGISTER allowed before connection registration (the default). */
const BEFORE_CONNECT = OFFERED.map((c) =>
  c.name === CAP.ACCOUNT_REGISTRATION ? { ...c, value: `before-connect,${c.value}` } : c,
);

/** What a server offers, with or without a store; `beforeConnect`: --register-before-connect. */
export function offeredCaps(hasStore: boolean, beforeConnect: boolean): readonly Offer[] {
  return !hasStore ? WITHOUT_STORE : beforeConnect ? BEFORE_CONNECT : OFFERED;
}

const BY_NAME = new Map(OFFERED.map((c) => [c.name as string, c]));

export function capByName(name: string, hasStore: boolean): Offer | undefined {
  const c = BY_NAME.get(name);
  return c === undefined || (c.store === true && !hasStore) ? undefined : c;
}

/** Names of the capabilities whose bits are set in `caps`. */
export function capNames(caps: number): string[] {
  return OFFERED.filter((c) => (caps & c.bit) !== 0).map((c) => c.name);
}

/**
 * The `sts` capability as CAP LS 302 lists it, or null when there is no policy to advertise
 * (no TLS, or --sts-duration off). On plaintext it names the TLS port to upgrade to; on TLS it
 * gives the duration to remember it for (0: forget). Never in OFFERED: clients must not REQ it.
 */
export function stsCap(
  tlsPort: number | null,
  duration: number | null,
  secure: boolean,
): string | null {
  if (tlsPort === null || duration === null) return null;
  return secure
    ? `${CAP.STS}=duration=${duration}`
    : `${CAP.STS}=port=${tlsPort},duration=${duration}`;
}
