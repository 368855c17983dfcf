// Keeping one link registered and alive: registration, the welcome burst (001 … end of MOTD), PING/PONG and lag, ERROR and fatal numerics; when the session is ready and settled.
import { ERR, RPL, serializeBody, type Message } from '../protocol/index.js';
import type { SessionEvent } from './events.js';
import { LagMonitor } from './lag.js';
import type { ResolvedOptions } from './options.js';
import { closingReason, Registration } from './registration.js';
import type { LoginOutcome } from './sasl.js';
import type { ClientState } from './state.js';
import type { Timers } from './timers.js';

/** Servers that skip the MOTD: the welcome burst is taken as over this long after 001, ms. */
const WELCOME_GRACE_MS = 2000;
const NO_CAPS: ReadonlySet<string> = new Set();
const NO_OFFER: ReadonlyMap<string, string> = new Map();

/** Token of the PING that marks the end of the registration burst (see whenSettled). */
const SETTLE_TOKEN = 'parley-settled';

/** What the upkeep needs from the session. */
export interface UpkeepHost {
  readonly opts: ResolvedOptions;
  readonly state: ClientState;
  readonly timers: Timers;
  write(line: string): void;
  emit(event: SessionEvent): void;
  error(code: string, text: string): void;
  /** Drop the link; `fatal`: retrying cannot help. */
  fail(reason: string, fatal?: boolean): void;
  /** The nick we want (configured, or the last setNick); alternatives derive from it. */
  preferredNick(): string;
  /** quit() was called: the server closing the link is expected. */
  quitting(): boolean;
  /** Handle `msg` as chat too (the end of the MOTD is shown). */
  incoming(msg: Message): void;
  /** 001 arrived: we are `nick` on `server`. */
  welcomed(nick: string, server: string): void;
  /** End of the welcome burst (ISUPPORT known): connected; join channels, then send what waited. */
  ready(): void;
}

/** One per session; `open()` and `linkLost()` bracket each link. */
export class Upkeep {
  private reg: Registration | null = null;
  private lag: LagMonitor | null = null;
  private isWelcomed = false;
  private isReady = false;
  /** Registration's replies, auto-joins and our JOINs have all been answered (first link only). */
  private settled = false;
  private settleWaiters: Array<() => void> = [];
  /** Why the server said it closed the link (ERROR), for the 'disconnected' reason. */
  private serverReason: string | null = null;
  /** Set when retrying cannot help (bad password, banned, no acceptable nick). */
  private fatalCause: string | null = null;
  private welcomeTimer: unknown = null;
  private loggedInAs: string | null = null;

  constructor(private readonly host: UpkeepHost) {}

  /** 001 arrived on this link. */
  get welcomed(): boolean {
    return this.isWelcomed;
  }

  /** The welcome burst is over on this link: lines can go out. */
  get ready(): boolean {
    return this.isReady;
  }

  /** Why the server said it closed the link (ERROR), or null. */
  get errorReason(): string | null {
    return this.serverReason;
  }

  /** Why retrying cannot help (bad password, banned, no acceptable nick), or null. */
  get fatalReason(): string | null {
    return this.fatalCause;
  }

  /** IRCv3 capabilities in force on this link. */
  get caps(): ReadonlySet<string> {
    return this.reg?.caps ?? NO_CAPS;
  }

  /** A new connection attempt: forget why the last link closed. */
  connecting(): void {
    this.fatalCause = null;
    this.serverReason = null;
  }

  /** The link is up: start the lag monitor and registration. */
  open(): void {
    const h = this.host;
    const opts = h.opts;
    if (opts.lag !== null) {
      this.lag = new LagMonitor(opts.lag, opts.clock, h.timers, {
        ping: (token) => h.write(`PING :${token}`),
        lag: (ms) => h.emit({ type: 'lag', ms }),
        dead: (reason) => h.fail(reason),
      });
    }
    const { username, realname, password, account, secure } = opts;
    const host = {
      write: (l: string) => h.write(l),
      error: (code: string, text: string) => h.error(code, text),
      fatal: (code: string, reason: string) => {
        this.fatal(code, reason);
        h.fail(reason, true);
      },
      nickLen: () => h.state.nickLen,
      random: () => opts.random(),
      login: (outcome: LoginOutcome) => this.login(outcome),
    };
    this.reg = new Registration(host, {
      nick: h.preferredNick(),
      altNicks: opts.altNicks,
      username,
      realname,
      password,
      account,
      secure,
      history: opts.history !== null,
      nonce: opts.scramNonce,
    });
    this.reg.begin();
  }

  /** Capabilities the server offers on this link, with their values. */
  get offered(): ReadonlyMap<string, string> {
    return this.reg?.offered ?? NO_OFFER;
  }

  /** The account we are logged in as on this link, or null. */
  get account(): string | null {
    return this.loggedInAs;
  }

  /** SASL ended: say so in one line; a failure with --sasl-required ends the session. */
  private login(outcome: LoginOutcome): void {
    const h = this.host;
    if (outcome.ok) {
      this.loggedInAs = outcome.account;
      h.emit({ type: 'info', time: h.opts.clock(), text: outcome.text, conversation: null });
    } else if (h.opts.saslRequired) {
      this.fatal(outcome.code, `${outcome.text}; stopping (--sasl-required)`);
      h.fail(outcome.text, true);
    } else h.error(outcome.code, `${outcome.text}; going on without logging in`);
  }

  /** A line arrived (any line: the link is alive). */
  received(): void {
    this.lag?.received();
  }

  /** The link is gone: its lag monitor, registration and welcome burst with it. */
  linkLost(): void {
    this.lag?.stop();
    this.lag = null;
    this.host.timers.cancel(this.welcomeTimer);
    this.reg = null;
    this.loggedInAs = null;
    this.isWelcomed = false;
    this.isReady = false;
  }

  /** The session is over (its timers are already cleared). */
  stop(): void {
    this.lag?.stop();
    this.settle(); // nothing more will come: whoever waits for the registration goes on
  }

  /** Lines about the link itself rather than the chat; true when fully handled here. */
  handle(msg: Message): boolean {
    const p = msg.params;
    switch (msg.command) {
      case 'PING':
        this.host.write(serializeBody(null, 'PONG', [p[0] ?? '']));
        return true;
      case 'PONG':
        if (p.includes(SETTLE_TOKEN)) this.settle();
        else this.lag?.pong(p);
        return true;
      case 'ERROR':
        this.serverError(p[0] ?? '');
        return true;
      case RPL.WELCOME: // <nick> :text   (the text is shown too)
        this.welcome(p[0], msg.source);
        return false;
      case RPL.ISUPPORT: // <nick> <tokens...> :are supported by this server
        if (p.length > 2) this.host.state.applyIsupport(p.slice(1, -1));
        return true;
      case RPL.ENDOFMOTD:
      case ERR.NOMOTD:
        if (!this.isWelcomed || this.isReady) return false;
        if (msg.command === RPL.ENDOFMOTD) this.host.incoming(msg);
        this.becomeReady();
        return true;
      case ERR.PASSWDMISMATCH: {
        // ERR_PASSWDMISMATCH
        const why = p[1] ?? 'Password incorrect';
        const given = this.host.opts.password !== null;
        this.fatal(
          ERR.PASSWDMISMATCH,
          `${given ? 'Server password refused' : 'The server needs a password'} (${why})`,
        );
        return true;
      }
      case ERR.YOUREBANNEDCREEP:
        this.fatal(ERR.YOUREBANNEDCREEP, `Banned from this server (${p[1] ?? 'You are banned'})`);
        return true;
      default:
        return this.reg?.handle(msg.command, p, this.host.preferredNick()) ?? false;
    }
  }

  // ERROR :<reason>   (the server is closing the link)
  private serverError(text: string): void {
    if (this.host.quitting() || this.fatalCause !== null) return;
    const reason = closingReason(text);
    if (/password/i.test(text)) return this.fatal('ERROR', `Server password refused (${reason})`);
    this.serverReason = reason;
    this.host.error('ERROR', `Disconnected by the server: ${reason}`);
  }

  private fatal(code: string, reason: string): void {
    if (this.fatalCause !== null) return;
    this.fatalCause = reason;
    this.host.error(code, reason);
  }

  private welcome(nick: string | undefined, source: string | null): void {
    if (this.isWelcomed) return;
    this.isWelcomed = true;
    this.reg?.welcome();
    const h = this.host;
    h.welcomed(nick || (this.reg?.nick ?? h.preferredNick()), source ?? h.opts.host);
    this.welcomeTimer = h.timers.later(() => this.becomeReady(), WELCOME_GRACE_MS);
  }

  /** End of the welcome burst: the session connects; then the PING that marks the settling. */
  private becomeReady(): void {
    if (this.isReady || !this.isWelcomed) return;
    this.isReady = true;
    this.host.timers.cancel(this.welcomeTimer);
    this.host.ready();
    // Replies come in order, so our PONG marks the end of the burst and of the JOIN answers.
    if (!this.settled) this.host.write(`PING :${SETTLE_TOKEN}`);
  }

  /** Resolves once the first registration has settled (see ClientSession.whenSettled). */
  whenSettled(): Promise<void> {
    if (this.settled) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    const waiters = this.settleWaiters;
    this.settleWaiters = [];
    for (const w of waiters) w();
  }
}
