// A connected client as the server sees it: registration progress, capabilities, ping state (the terminal client's own session is client/session.ts).
import type { Gathering } from './commands/multiline.js';
import type { SaslSession } from './commands/sasl.js';
import type { Connection } from './connection.js';
import { isSecure } from './tls.js';
import type { User } from './user.js';

export class Client {
  /** CAP capability bits (see capabilities.ts). */
  caps = 0;
  /** CAP LS version the client asked for (302 enables values and cap-notify). */
  capVersion = 0;
  /** True between CAP LS/REQ and CAP END: registration waits. */
  capNegotiating = false;
  passOk = false;
  /** Nick and USER fields given before registration completes. */
  pendingNick: string | null = null;
  /**
   * The last well-formed nick asked for with NICK before registration, even one refused as in use:
   * `REGISTER *` before the welcome names the account after it (so a nick in use is ACCOUNT_EXISTS).
   */
  askedNick: string | null = null;
  /** A nick claimed for this client in the cluster (server/cluster.ts) and not in use yet. */
  claimedNick: string | null = null;
  username: string | null = null;
  realname: string | null = null;
  /** A SASL exchange in progress (commands/sasl.ts), or null. */
  sasl: SaslSession | null = null;
  /** The account logged into before registration completed (SASL, REGISTER), applied on welcome. */
  pendingAccount: string | null = null;
  /**
   * `PASS account:password` (or `PASS password` for the account named like the nick) on a server
   * without a connection password: checked when registration completes, then forgotten.
   */
  passLogin: { account: string | null; password: string } | null = null;
  /** The registered identity; null until the welcome burst. */
  user: User | null = null;
  /** A draft/multiline batch being gathered (commands/multiline.ts), or null. */
  multiline: Gathering | null = null;
  /** Commands sent into the cluster's order and not back yet (replica.ts): later lines follow them. */
  inflight = 0;
  /** Its window of commands in the order is full: its socket is not read (replica.ts). */
  windowFull = false;
  /** It sent a private message to another node's user since its last other command (replica.ts). */
  handedOver = false;
  /** When a server PING was sent and not yet answered (0 = none outstanding). */
  pingSentAt = 0;
  readonly connectedAt: number;
  /** Connected over TLS (--tls-port): WHOIS 671, user mode +Z, the STS value without a port. */
  readonly secure: boolean;

  constructor(
    readonly conn: Connection<Client>,
    /** Cloaked host shown in prefixes; the IP itself is never shown to other users. */
    readonly host: string,
  ) {
    this.connectedAt = conn.lastActivity;
    this.secure = isSecure(conn.socket);
  }

  /** The nick numerics are addressed to: the registered nick, the pending one, or `*`. */
  get target(): string {
    return this.user?.nick ?? this.pendingNick ?? '*';
  }

  has(bit: number): boolean {
    return (this.caps & bit) !== 0;
  }
}
