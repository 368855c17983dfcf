// The client session: connection lifecycle and reconnect, the sending API, and the events the UI renders. No terminal code.
//
//   idle ─start()─> connecting ─(TCP/TLS up)─> registering ─(001 … end of MOTD)─> connected
//                      ^  │                         │                                │
//                      │  └─────(link lost: refused, reset, ERROR, ping timeout)─────┴─> disconnected
//                      │                                                                  │
//                      └────────(timer: capped backoff with jitter)── reconnecting <──────┘
//
// close(), quit(), a bad password or an untrusted certificate end in 'disconnected' with
// `final: true`: nothing reconnects, every timer is cleared and the process may exit.
import { isParseError, parse, serializeBody, type Message } from '../protocol/index.js';
import type { ConnectionState, SessionEvent } from './events.js';
import { handleIncoming, type IncomingHost } from './incoming.js';
import { LagMonitor } from './lag.js';
import { Link } from './link.js';
import { resolveOptions, type ResolvedOptions, type SessionOptions } from './options.js';
import { Outbox } from './outbox.js';
import { cleanLine, ctcp, ctcpAnswer, joinLines, textLines, type JoinTarget } from './outgoing.js';
import { backoffDelay } from './reconnect.js';
import { closingReason, Registration } from './registration.js';
import { ClientState, type Member } from './state.js';
import { Timers } from './timers.js';

export type { SessionOptions } from './options.js';
export type { LagCheck } from './lag.js';
export type { ReconnectPolicy } from './reconnect.js';
export type { Member } from './state.js';
export type { TimerApi } from './timers.js';

/** Servers that skip the MOTD: the welcome burst is taken as over this long after 001, ms. */
const WELCOME_GRACE_MS = 2000;
/** At most one CTCP answer per this many ms, so a CTCP flood can't get us killed for flooding. */
const CTCP_REPLY_MS = 1000;
const NO_CAPS: ReadonlySet<string> = new Set();

type Listener = (event: SessionEvent) => void;

/** Token of the PING that marks the end of the registration burst (see whenSettled). */
const SETTLE_TOKEN = 'parley-settled';

export class ClientSession {
  private readonly opts: ResolvedOptions;
  private readonly st = new ClientState();
  private readonly listeners = new Set<Listener>();
  private readonly timers: Timers;
  private readonly outbox: Outbox;
  private link: Link | null = null;
  private reg: Registration | null = null;
  private lag: LagMonitor | null = null;
  private phase: ConnectionState | 'idle' = 'idle';
  private stopped = false;
  private attempt = 0;
  private myNick: string;
  /** The nick we want (configured, or the last setNick); alternatives derive from it. */
  private preferredNick: string;
  /** Our user@host as the server shows it, once seen (our own JOIN). */
  private self: { user: string; host: string } | null = null;
  private serverName = '';
  private welcomed = false;
  private ready = false;
  /** Registration's replies, auto-joins and our JOINs have all been answered (first link only). */
  private settled = false;
  private settleWaiters: Array<() => void> = [];
  /** Channels to join after the next registration (those we were in when the link dropped). */
  private rejoin = new Map<string, JoinTarget>();
  private readonly keys = new Map<string, string>();
  /** Why the server said it closed the link (ERROR), for the 'disconnected' reason. */
  private errorReason: string | null = null;
  /** Set when retrying cannot help (bad password, banned, no acceptable nick). */
  private fatalReason: string | null = null;
  private quitting: { promise: Promise<void>; resolve: () => void } | null = null;
  private connectTimer: unknown = null;
  private welcomeTimer: unknown = null;
  private lastCtcpReply = -Infinity;

  constructor(options: SessionOptions) {
    this.opts = resolveOptions(options);
    this.timers = new Timers(this.opts.timers);
    this.myNick = this.opts.nick;
    this.preferredNick = this.opts.nick;
    this.outbox = new Outbox({
      state: this.st,
      canSend: () => this.ready && this.link?.open === true,
      stopped: () => this.stopped,
      sender: () => ({
        nick: this.myNick,
        user: this.self?.user ?? this.opts.username,
        host: this.self?.host ?? null,
      }),
      echoes: () => this.capabilities.has('echo-message'),
      write: (line) => this.write(line),
      emit: (e) => this.emit(e),
      now: () => this.opts.clock(),
    });
  }

  // ---- read-only view ----

  get nick(): string {
    return this.myNick;
  }

  get state(): ConnectionState | 'idle' {
    return this.phase;
  }

  /** Channels we are in, as the server spells them. */
  get channels(): string[] {
    return this.st.channelNames;
  }

  members(channel: string): Member[] {
    return this.st.members(channel);
  }

  topic(channel: string): string | null {
    return this.st.topic(channel);
  }

  isChannel(name: string): boolean {
    return this.st.isChannel(name);
  }

  /** Fold a nick or channel name with the server's case mapping (for keys and comparisons). */
  fold(name: string): string {
    return this.st.fold(name);
  }

  get isupport(): ReadonlyMap<string, string> {
    return this.st.isupport;
  }

  /** IRCv3 capabilities in force on this connection. */
  get capabilities(): ReadonlySet<string> {
    return this.reg?.caps ?? NO_CAPS;
  }

  /** Subscribe; returns the unsubscribe function. */
  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- lifecycle ----

  start(): void {
    if (this.phase === 'idle' && !this.stopped) this.connect();
  }

  /** Drop the link at once (no QUIT), stop reconnecting, clear every timer. */
  close(): void {
    if (this.phase === 'idle') this.stopped = true;
    else this.shutdown('closed');
  }

  /** Send QUIT; resolves once the server has closed the link, or after the quit timeout. */
  quit(reason = ''): Promise<void> {
    if (this.quitting !== null) return this.quitting.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.quitting = { promise, resolve };
    const timeout = this.opts.quitTimeoutMs;
    if (this.stopped || (this.link === null && this.phase !== 'idle')) {
      this.shutdown('quit');
      return promise;
    }
    if (!this.ready) {
      // Not registered yet (or not even started): QUIT waits behind what was typed before it
      // (`printf 'hi\n/quit\n' | parley connect`); the timer bounds the wait.
      this.timers.later(() => this.shutdown('quit'), this.opts.connectTimeoutMs + timeout);
    }
    this.outbox.whenReady(() => {
      this.write(reason === '' ? 'QUIT' : serializeBody(null, 'QUIT', [cleanLine(reason)]));
      this.timers.later(() => this.shutdown('quit'), timeout);
    });
    return promise;
  }

  // ---- sending (held in order until registered) ----

  /** PRIVMSG to a target, a comma list or an array of targets (cut to TARGMAX and 512 bytes). */
  say(target: string | readonly string[], text: string): void {
    this.outbox.message('PRIVMSG', 'privmsg', target, text);
  }

  /** CTCP ACTION (`/me`). */
  action(target: string | readonly string[], text: string): void {
    this.outbox.message('PRIVMSG', 'action', target, text);
  }

  notice(target: string | readonly string[], text: string): void {
    this.outbox.message('NOTICE', 'notice', target, text);
  }

  join(channel: string, key?: string): void {
    const name = cleanLine(channel).trim();
    const k = cleanLine(key ?? '').trim();
    if (name === '') return;
    this.outbox.whenReady(() => {
      if (k !== '') this.keys.set(this.st.fold(name), k);
      this.write(serializeBody(null, 'JOIN', k === '' ? [name] : [name, k]));
    });
  }

  part(channel: string, reason?: string): void {
    const name = cleanLine(channel).trim();
    const why = cleanLine(reason ?? '');
    if (name === '') return;
    const params = why === '' ? [name] : [name, why];
    this.outbox.whenReady(() => this.write(serializeBody(null, 'PART', params)));
  }

  setNick(nick: string): void {
    const n = cleanLine(nick).trim();
    if (n === '') return;
    this.preferredNick = n;
    this.outbox.whenReady(() => this.write(serializeBody(null, 'NICK', [n])));
  }

  /** Mark us away with `text`, or back with null. */
  setAway(text: string | null): void {
    const t = cleanLine(text ?? '');
    this.outbox.whenReady(() => this.write(t === '' ? 'AWAY' : serializeBody(null, 'AWAY', [t])));
  }

  /** Send lines as typed (`/quote`); a QUIT goes through quit() so it does not reconnect. */
  raw(line: string): void {
    for (const l of textLines(line)) {
      const quit = /^\s*QUIT(?:\s+:?(.*))?$/i.exec(l);
      if (quit !== null) void this.quit(quit[1] ?? '');
      else this.outbox.whenReady(() => this.write(l));
    }
  }

  private write(line: string): void {
    this.link?.write(cleanLine(line));
  }

  // ---- connection ----

  private connect(): void {
    const { host, port, tls, tlsInsecure } = this.opts;
    this.phase = 'connecting';
    const attempt = this.attempt > 0 ? { attempt: this.attempt } : {};
    this.emit({ type: 'state', state: 'connecting', ...attempt });
    this.fatalReason = null;
    this.errorReason = null;
    const link: Link = new Link(
      { host, port, tls, tlsInsecure },
      {
        open: () => link === this.link && this.onOpen(),
        line: (l) => link === this.link && this.onLine(l),
        closed: (reason, fatal) => link === this.link && this.onClosed(reason, fatal),
      },
    );
    this.link = link;
    this.connectTimer = this.timers.later(() => {
      if (!link.handshaking) return link.fail(`connection to ${host}:${port} timed out`);
      const why = `TLS handshake with ${host}:${port} timed out: is the server speaking TLS on this port?`;
      link.fail(why, true);
    }, this.opts.connectTimeoutMs);
  }

  private onOpen(): void {
    this.timers.cancel(this.connectTimer);
    this.phase = 'registering';
    this.emit({ type: 'state', state: 'registering' });
    if (this.opts.lag !== null) {
      this.lag = new LagMonitor(this.opts.lag, this.opts.clock, this.timers, {
        ping: (token) => this.write(`PING :${token}`),
        lag: (ms) => this.emit({ type: 'lag', ms }),
        dead: (reason) => this.link?.fail(reason),
      });
    }
    const { username, realname, password } = this.opts;
    const host = {
      write: (l: string) => this.write(l),
      error: (code: string, text: string) => this.emitError(code, text),
      fatal: (code: string, reason: string) => {
        this.fatal(code, reason);
        this.link?.fail(reason, true);
      },
      nickLen: () => this.st.nickLen,
      random: () => this.opts.random(),
    };
    this.reg = new Registration(host, { nick: this.preferredNick, username, realname, password });
    this.reg.begin();
  }

  private onLine(raw: string): void {
    this.lag?.received();
    const msg = parse(raw);
    if (isParseError(msg)) return;
    try {
      if (!this.upkeep(msg)) handleIncoming(this.incoming, msg);
    } catch (err) {
      // A bug of ours on odd input must not take the connection down; say what happened.
      this.emitError('CLIENT', `Could not handle "${raw.slice(0, 80)}": ${(err as Error).message}`);
    }
  }

  private onClosed(reason: string, fatal: boolean): void {
    this.link = null;
    this.lag?.stop();
    this.lag = null;
    this.timers.cancel(this.connectTimer);
    this.timers.cancel(this.welcomeTimer);
    if (this.welcomed) {
      const st = this.st;
      this.rejoin = new Map(
        st.channelNames.map((name) => {
          const key = this.keys.get(st.fold(name));
          return [st.fold(name), key === undefined ? { name } : { name, key }];
        }),
      );
    }
    this.st.reset();
    this.reg = null;
    this.welcomed = false;
    this.ready = false;
    const why = this.quitting !== null ? 'quit' : (this.fatalReason ?? this.errorReason ?? reason);
    const policy = this.opts.reconnect;
    if (fatal && this.fatalReason === null && this.quitting === null) this.emitError('LINK', why);
    if (this.quitting !== null || fatal || this.fatalReason !== null || policy === null) {
      return this.shutdown(why);
    }
    this.phase = 'disconnected';
    this.emit({ type: 'state', state: 'disconnected', reason: why });
    const attempt = ++this.attempt;
    const retryInMs = backoffDelay(attempt, policy, this.opts.random);
    this.phase = 'reconnecting';
    this.emit({ type: 'state', state: 'reconnecting', reason: why, retryInMs, attempt });
    this.timers.later(() => this.connect(), retryInMs);
  }

  /** The end: no link, no timers, no reconnect; 'disconnected' with `final: true`, once. */
  private shutdown(reason: string): void {
    const first = !this.stopped;
    this.stopped = true;
    this.timers.clearAll();
    this.lag?.stop();
    const link = this.link;
    this.link = null;
    link?.fail(reason);
    this.outbox.clear();
    if (first) {
      this.phase = 'disconnected';
      this.emit({ type: 'state', state: 'disconnected', reason, final: true });
    }
    this.quitting?.resolve();
  }

  // ---- registration and upkeep ----

  /** Lines about the link itself rather than the chat; true when fully handled here. */
  private upkeep(msg: Message): boolean {
    const p = msg.params;
    switch (msg.command) {
      case 'PING':
        this.write(serializeBody(null, 'PONG', [p[0] ?? '']));
        return true;
      case 'PONG':
        if (p.includes(SETTLE_TOKEN)) this.settle();
        else this.lag?.pong(p);
        return true;
      case 'ERROR':
        this.serverError(p[0] ?? '');
        return true;
      case '001': // RPL_WELCOME <nick> :text   (the text is shown too)
        this.welcome(p[0], msg.source);
        return false;
      case '005': // RPL_ISUPPORT <nick> <tokens...> :are supported by this server
        if (p.length > 2) this.st.applyIsupport(p.slice(1, -1));
        return true;
      case '376': // RPL_ENDOFMOTD
      case '422': // ERR_NOMOTD
        if (!this.welcomed || this.ready) return false;
        if (msg.command === '376') handleIncoming(this.incoming, msg);
        this.becomeReady();
        return true;
      case '464': {
        // ERR_PASSWDMISMATCH
        const why = p[1] ?? 'Password incorrect';
        const given = this.opts.password !== null;
        this.fatal(
          '464',
          `${given ? 'Server password refused' : 'The server needs a password'} (${why})`,
        );
        return true;
      }
      case '465': // ERR_YOUREBANNEDCREEP
        this.fatal('465', `Banned from this server (${p[1] ?? 'You are banned'})`);
        return true;
      default:
        return this.reg?.handle(msg.command, p, this.preferredNick) ?? false;
    }
  }

  // ERROR :<reason>   (the server is closing the link)
  private serverError(text: string): void {
    if (this.quitting !== null || this.fatalReason !== null) return;
    const reason = closingReason(text);
    if (/password/i.test(text)) return this.fatal('ERROR', `Server password refused (${reason})`);
    this.errorReason = reason;
    this.emitError('ERROR', `Disconnected by the server: ${reason}`);
  }

  private fatal(code: string, reason: string): void {
    if (this.fatalReason !== null) return;
    this.fatalReason = reason;
    this.emitError(code, reason);
  }

  private welcome(nick: string | undefined, source: string | null): void {
    if (this.welcomed) return;
    this.welcomed = true;
    this.reg?.welcome();
    this.attempt = 0;
    this.myNick = nick || (this.reg?.nick ?? this.preferredNick);
    this.serverName = source ?? this.opts.host;
    this.welcomeTimer = this.timers.later(() => this.becomeReady(), WELCOME_GRACE_MS);
  }

  /** End of the welcome burst (ISUPPORT known): connected; join channels, then send what waited. */
  private becomeReady(): void {
    if (this.ready || !this.welcomed) return;
    this.ready = true;
    this.timers.cancel(this.welcomeTimer);
    this.phase = 'connected';
    this.emit({ type: 'state', state: 'connected' });
    const network = this.st.network;
    this.emit({ type: 'registered', nick: this.myNick, server: this.serverName, network });
    const wanted = new Map(this.rejoin);
    for (const name of this.opts.channels) {
      if (!wanted.has(this.st.fold(name))) wanted.set(this.st.fold(name), { name });
    }
    for (const line of joinLines([...wanted.values()], this.st.maxTargets('JOIN')))
      this.write(line);
    this.outbox.flush();
    // Replies come in order, so our PONG marks the end of the burst and of the JOIN answers.
    if (!this.settled) this.write(`PING :${SETTLE_TOKEN}`);
  }

  /**
   * Resolves once the first registration has settled: the welcome burst, the server's own
   * auto-joins and our JOINs have been answered, so the conversations are known.
   */
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

  // ---- helpers ----

  private readonly incoming: IncomingHost = {
    state: this.st,
    nick: () => this.myNick,
    now: () => this.opts.clock(),
    emit: (e) => this.emit(e),
    ctcpRequest: (from, command, args) => this.ctcpRequest(from, command, args),
    learnSelf: (user, host) => (this.self = { user, host }),
    selfRenamed: (to) => (this.myNick = to),
  };

  private ctcpRequest(from: string, command: string, args: string): void {
    const now = this.opts.clock();
    const answer = ctcpAnswer(command, args, now, this.opts.version);
    if (answer === null || now - this.lastCtcpReply < CTCP_REPLY_MS) return;
    this.lastCtcpReply = now;
    this.write(serializeBody(null, 'NOTICE', [from, ctcp(command, answer)]));
  }

  private emitError(code: string, text: string): void {
    this.emit({ type: 'error', time: this.opts.clock(), text, code, conversation: null });
  }

  private emit(event: SessionEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        // A listener's bug is not ours to hide, but it must not break our state mid-update.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
