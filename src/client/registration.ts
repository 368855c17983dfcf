// Registration on one link: CAP LS 302 negotiation (SASL login held before CAP END), PASS/NICK/USER, alternatives when the nick is refused; and the reason inside a server's ERROR line.
import { ERR, serializeBody } from '../protocol/index.js';
import { alternativeNick, cleanLine } from './outgoing.js';
import { chooseMechanism, SaslLogin, type Account, type LoginOutcome } from './sasl.js';

/** Capabilities we ask for when offered (labeled-response and userhost-in-names are not needed). */
export const WANTED_CAPS = [
  'server-time',
  'echo-message',
  'message-tags',
  'multi-prefix',
  'away-notify',
  'batch',
  'draft/read-marker',
];

/** draft/chathistory is asked for only with what its replies need: batches, times, msgids. */
export const HISTORY_CAPS = ['draft/chathistory', 'batch', 'server-time', 'message-tags'];

/** Refused nicks tried before giving up. */
/** Made-up alternatives tried after the given ones, before giving up. */
const MAX_NICK_TRIES = 8;

export interface RegistrationHost {
  write(line: string): void;
  error(code: string, text: string): void;
  /** Registration cannot succeed (no acceptable nick): give up, don't retry. */
  fatal(code: string, reason: string): void;
  /** NICKLEN if the server has said it. */
  nickLen(): number | null;
  random(): number;
  /** The SASL login ended (or could not start: `ok: false`); CAP END follows. */
  login(outcome: LoginOutcome): void;
}

export interface Credentials {
  nick: string;
  /** Nicks to try, in order, when the server refuses `nick`, before made-up ones (nick_...). */
  altNicks?: readonly string[];
  username: string;
  realname: string;
  password: string | null;
  /** Log in with SASL as this account, or null: don't. */
  account: Account | null;
  /** The link is TLS or to a loopback address: PLAIN may go without a warning. */
  secure: boolean;
  /** Ask for draft/chathistory when offered. */
  history: boolean;
  /** The SCRAM nonce (tests only). */
  nonce?: string;
}

export class Registration {
  /** Capabilities the server acknowledged. */
  readonly caps = new Set<string>();
  /** Capabilities the server offers (CAP LS/NEW), with their values ('' for none). */
  readonly offered = new Map<string, string>();
  private negotiating = false;
  private sasl: SaslLogin | null = null;
  /** The login has ended (or was never to be): CAP END may go. */
  private loginSettled: boolean;
  private welcomed = false;
  private tries = 0;
  /** The nick last sent with NICK during registration. */
  nick: string;

  constructor(
    private readonly host: RegistrationHost,
    private readonly who: Credentials,
  ) {
    this.nick = who.nick;
    this.loginSettled = who.account === null;
  }

  /**
   * CAP LS first so an IRCv3 server holds registration until CAP END; NICK and USER right
   * behind it so a server that knows no CAP (421) registers us anyway.
   */
  begin(): void {
    const h = this.host;
    this.negotiating = true;
    h.write('CAP LS 302');
    if (this.who.password !== null && this.who.password !== '') {
      h.write(serializeBody(null, 'PASS', [cleanLine(this.who.password)]));
    }
    h.write(serializeBody(null, 'NICK', [this.nick]));
    h.write(serializeBody(null, 'USER', [this.who.username, '0', '*', this.who.realname]));
  }

  /** 001 arrived: registration is over, whatever CAP was doing. */
  welcome(): void {
    this.welcomed = true;
    this.negotiating = false;
  }

  /** Registration replies (CAP, refused nicks, a CAP-less server's 421); true when handled. */
  handle(command: string, params: readonly string[], preferred: string): boolean {
    if (this.sasl?.handle(command, params) === true) return true;
    switch (command) {
      case 'CAP':
        this.cap(params);
        return true;
      case ERR.ERRONEUSNICKNAME:
      case ERR.NICKNAMEINUSE:
      case ERR.UNAVAILRESOURCE:
        if (this.welcomed) return false; // a later /nick: the session shows the refusal
        this.nickRefused(command, params[1] ?? this.nick, preferred);
        return true;
      case ERR.UNKNOWNCOMMAND: // an RFC 1459 server that knows no CAP
        if (params[1]?.toUpperCase() === 'CAP') this.noLogin('the server knows no CAP');
        return !this.welcomed;
      case ERR.INVALIDCAPCMD:
      case ERR.NOTREGISTERED: // a lag PING before registration
        return !this.welcomed;
      default:
        return false;
    }
  }

  // CAP <me> LS|ACK|NAK|NEW|DEL [*] :<caps>   (a `*` before the list: more lines follow)
  private cap(params: readonly string[]): void {
    const sub = (params[1] ?? '').toUpperCase();
    const more = params.length >= 4 && params[2] === '*';
    const words = (params[params.length - 1] ?? '').split(' ').filter((w) => w.length > 0);
    const names = words.map((w) => w.replace(/^[-~=]/, '').split('=')[0]);
    switch (sub) {
      case 'LS':
      case 'NEW': {
        words.forEach((w, k) =>
          this.offered.set(names[k], w.slice(w.indexOf('=') + 1 || w.length)),
        );
        if (more) return;
        const want = this.wanted().filter((c) => !this.caps.has(c));
        if (want.length > 0) this.host.write(`CAP REQ :${want.join(' ')}`);
        else this.end();
        return;
      }
      case 'ACK':
        words.forEach((w, k) => {
          if (w.startsWith('-')) this.caps.delete(names[k]);
          else this.caps.add(names[k]);
        });
        if (!more) this.acknowledged();
        return;
      case 'NAK':
        if (!this.welcomed && this.sasl === null) this.noLogin('the server refused SASL');
        this.end();
        return;
      case 'DEL':
        for (const n of names) {
          this.caps.delete(n);
          this.offered.delete(n);
        }
        return;
    }
  }

  /** What to CAP REQ of what is offered: WANTED_CAPS, history with its helpers, sasl to log in. */
  private wanted(): string[] {
    const has = (c: string) => this.offered.has(c);
    const want = WANTED_CAPS.filter(has);
    if (this.who.history && HISTORY_CAPS.every(has)) want.push(HISTORY_CAPS[0]);
    if (this.who.account === null || this.welcomed || this.sasl !== null || this.loginSettled) {
      return want;
    }
    const mechanism = has('sasl') ? chooseMechanism(this.offered.get('sasl')) : null;
    if (!has('sasl')) this.noLogin('the server offers no SASL login');
    else if (mechanism === null) {
      this.noLogin(
        `the server offers only SASL ${this.offered.get('sasl')}, not PLAIN or SCRAM-SHA-256`,
      );
    } else {
      want.push('sasl');
      this.sasl = new SaslLogin(
        { write: (l) => this.host.write(l), done: (o) => this.loggedIn(o) },
        this.who.account,
        mechanism,
        this.who.nonce,
      );
      if (mechanism === 'PLAIN' && !this.who.secure) {
        this.host.error(
          'SASL',
          'warning: your password goes as SASL PLAIN over an unencrypted connection (use --tls)',
        );
      }
    }
    return want;
  }

  /** CAP ACK complete: log in first when sasl was granted, else end negotiation. */
  private acknowledged(): void {
    if (this.sasl !== null && !this.loginSettled && !this.welcomed) {
      if (this.caps.has('sasl')) return this.sasl.start();
      this.noLogin('the server refused SASL');
    }
    this.end();
  }

  private loggedIn(outcome: LoginOutcome): void {
    if (this.loginSettled) return;
    this.loginSettled = true;
    this.host.login(outcome);
    this.end();
  }

  /** No login on this link: say why once (the session decides whether to go on). */
  private noLogin(why: string): void {
    if (this.loginSettled) return;
    this.loginSettled = true;
    this.host.login({ ok: false, code: 'SASL', text: `login failed: ${why} (SASL)` });
  }

  private end(): void {
    if (!this.negotiating || !this.loginSettled) return;
    this.negotiating = false;
    if (!this.welcomed) this.host.write('CAP END');
  }

  /**
   * 432/433/437 before 001: say so and try the next alternative: the --alt-nick ones in order,
   * then nick_, nick__, nick123...
   */
  private nickRefused(code: string, refused: string, preferred: string): void {
    const h = this.host;
    this.tries++;
    if (this.tries > MAX_NICK_TRIES + (this.who.altNicks?.length ?? 0)) {
      h.fatal(code, `No nickname accepted (last tried ${refused}); choose another nick`);
      return;
    }
    const alts = this.who.altNicks ?? [];
    const next =
      this.tries <= alts.length
        ? alts[this.tries - 1]
        : alternativeNick(preferred, this.tries - alts.length, () => h.random(), h.nickLen());
    const why =
      code === ERR.NICKNAMEINUSE
        ? 'is already in use'
        : code === ERR.UNAVAILRESOURCE
          ? 'is temporarily unavailable'
          : 'is not allowed by the server';
    h.error(code, `Nickname ${refused} ${why}; trying ${next}`);
    this.nick = next;
    h.write(serializeBody(null, 'NICK', [next]));
  }
}

/**
 * The reason in `ERROR :Closing link: nick[host] (reason)` (also `... [reason]` and a bare
 * `Closing link: reason`), or the whole text when it has no such shape.
 */
export function closingReason(text: string): string {
  const m = /^Closing link:?\s*(.*)$/i.exec(text.trim());
  let reason = m === null ? text.trim() : m[1];
  const inner = /\(([^()]*)\)\s*$/.exec(reason) ?? /\s\[([^[\]]*)\]\s*$/.exec(reason);
  if (inner !== null && inner[1].trim() !== '') reason = inner[1].trim();
  return reason === '' ? 'closed by the server' : reason;
}
