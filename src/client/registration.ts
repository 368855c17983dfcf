// Registration on one link: CAP LS 302 negotiation, PASS/NICK/USER, alternatives when the nick is refused; and the reason inside a server's ERROR line.
import { ERR, serializeBody } from '../protocol/index.js';
import { alternativeNick, cleanLine } from './outgoing.js';

/** Capabilities we ask for when offered (labeled-response and userhost-in-names are not needed). */
export const WANTED_CAPS = [
  'server-time',
  'echo-message',
  'message-tags',
  'multi-prefix',
  'away-notify',
  'batch',
];

/** Refused nicks tried before giving up. */
const MAX_NICK_TRIES = 8;

export interface RegistrationHost {
  write(line: string): void;
  error(code: string, text: string): void;
  /** Registration cannot succeed (no acceptable nick): give up, don't retry. */
  fatal(code: string, reason: string): void;
  /** NICKLEN if the server has said it. */
  nickLen(): number | null;
  random(): number;
}

export interface Credentials {
  nick: string;
  username: string;
  realname: string;
  password: string | null;
}

export class Registration {
  /** Capabilities the server acknowledged. */
  readonly caps = new Set<string>();
  private readonly offered = new Set<string>();
  private negotiating = false;
  private welcomed = false;
  private tries = 0;
  /** The nick last sent with NICK during registration. */
  nick: string;

  constructor(
    private readonly host: RegistrationHost,
    private readonly who: Credentials,
  ) {
    this.nick = who.nick;
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
      case ERR.INVALIDCAPCMD:
      case ERR.UNKNOWNCOMMAND: // an RFC 1459 server that knows no CAP
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
        for (const n of names) this.offered.add(n);
        if (more) return;
        const want = WANTED_CAPS.filter((c) => this.offered.has(c) && !this.caps.has(c));
        if (want.length > 0) this.host.write(`CAP REQ :${want.join(' ')}`);
        else this.end();
        return;
      }
      case 'ACK':
        words.forEach((w, k) => {
          if (w.startsWith('-')) this.caps.delete(names[k]);
          else this.caps.add(names[k]);
        });
        if (!more) this.end();
        return;
      case 'NAK':
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

  private end(): void {
    if (!this.negotiating) return;
    this.negotiating = false;
    if (!this.welcomed) this.host.write('CAP END');
  }

  /** 432/433/437 before 001: say so and try the next alternative (nick_, nick__, nick123...). */
  private nickRefused(code: string, refused: string, preferred: string): void {
    const h = this.host;
    this.tries++;
    if (this.tries > MAX_NICK_TRIES) {
      h.fatal(code, `No nickname accepted (last tried ${refused}); choose another nick`);
      return;
    }
    const next = alternativeNick(preferred, this.tries, () => h.random(), h.nickLen());
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
