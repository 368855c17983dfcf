// The client session: connection lifecycle and reconnect, the events the UI renders (they go out through feed.ts), and the sending API (inherited from sending.ts). No terminal code.
//
//   idle ─start()─> connecting ─(TCP/TLS up)─> registering ─(001 … end of MOTD)─> connected
//                      ^  │                         │                                │
//                      │  └─────(link lost: refused, reset, ERROR, ping timeout)─────┴─> disconnected
//                      │                                                                  │
//                      └────────(timer: capped backoff with jitter)── reconnecting <──────┘
//
// close(), quit(), a bad password or an untrusted certificate end in 'disconnected' with
// `final: true`: nothing reconnects, every timer is cleared and the process may exit.
import { isParseError, parse, serializeBody } from '../protocol/index.js';
import type { ConnectionState } from './events.js';
import { Feed, type Listener } from './feed.js';
import { Link } from './link.js';
import { ReadMarkers } from './markers.js';
import { resolveOptions, type ResolvedOptions, type SessionOptions } from './options.js';
import { Outbox, unsentNote } from './outbox.js';
import { cleanLine } from './outgoing.js';
import { Restore } from './restore.js';
import { SessionSending } from './sending.js';
import { backoffDelay } from './reconnect.js';
import { ClientState, type Member } from './state.js';
import { Timers } from './timers.js';
import { Upkeep } from './upkeep.js';

export type { SessionOptions } from './options.js';
export type { LagCheck } from './lag.js';
export type { ReconnectPolicy } from './reconnect.js';
export type { Member } from './state.js';
export type { TimerApi } from './timers.js';

export class ClientSession extends SessionSending {
  private readonly opts: ResolvedOptions;
  private readonly st = new ClientState();
  private readonly timers: Timers;
  protected readonly outbox: Outbox;
  /** Registration, lag, the welcome burst and why the link closed (see upkeep.ts). */
  private readonly upkeep: Upkeep;
  private link: Link | null = null;
  private phase: ConnectionState | 'idle' = 'idle';
  private stopped = false;
  private attempt = 0;
  private myNick: string;
  /** The nick we want (configured, or the last setNick); alternatives derive from it. */
  private preferredNick: string;
  /** Our user@host as the server shows it, once seen (our own JOIN). */
  private self: { user: string; host: string } | null = null;
  private serverName = '';
  /** Away and the channels (with their keys) to restore after the next registration. */
  protected readonly restore: Restore;
  private quitting: { promise: Promise<void>; resolve: () => void } | null = null;
  /** What the user asked to send that was still waiting for a registration when the session ended. */
  private unsentTotal = 0;
  private connectTimer: unknown = null;
  private retryTimer: unknown = null;
  /** Events to the listeners, with history caught up and merged (see feed.ts). */
  private readonly feed: Feed;
  /** How far each conversation has been read (draft/read-marker), and our MARKREADs. */
  private readonly markers: ReadMarkers;

  constructor(options: SessionOptions) {
    super();
    this.opts = resolveOptions(options);
    this.restore = new Restore(this.st);
    this.feed = new Feed({
      opts: this.opts,
      state: this.st,
      nick: () => this.myNick,
      caps: () => this.capabilities,
      loggedIn: () => this.upkeep.account !== null,
      write: (line) => this.write(line),
      learnSelf: (user, host) => (this.self = { user, host }),
      selfRenamed: (to) => (this.myNick = to),
      readMarker: (mark) => this.markers.received(mark),
      queryMarker: (target) => this.markers.query(target),
    });
    this.timers = new Timers(this.opts.timers);
    this.markers = new ReadMarkers({
      enabled: () =>
        this.link?.open === true &&
        this.capabilities.has('draft/read-marker') &&
        this.upkeep.account !== null,
      fold: (name) => this.st.fold(name),
      write: (line) => this.write(line),
      now: () => this.opts.clock(),
      later: (fn, ms) => this.timers.later(fn, ms),
    });
    this.myNick = this.opts.nick;
    this.preferredNick = this.opts.nick;
    this.outbox = new Outbox({
      state: this.st,
      canSend: () => this.live,
      stopped: () => this.stopped,
      sender: () => ({
        nick: this.myNick,
        user: this.self?.user ?? this.opts.username,
        host: this.self?.host ?? null,
      }),
      echoes: () => this.capabilities.has('echo-message'),
      write: (line) => this.write(line),
      emit: (e) => this.feed.emit(e),
      now: () => this.opts.clock(),
    });
    this.upkeep = new Upkeep({
      opts: this.opts,
      state: this.st,
      timers: this.timers,
      write: (line) => this.write(line),
      emit: (e) => this.feed.emit(e),
      error: (code, text) => this.feed.error(code, text),
      fail: (reason, fatal) => this.link?.fail(reason, fatal),
      preferredNick: () => this.preferredNick,
      quitting: () => this.quitting !== null,
      incoming: (msg) => this.feed.chat(msg),
      welcomed: (nick, server) => this.welcomed(nick, server),
      ready: () => this.connected(),
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
    return this.upkeep.caps;
  }

  /** The session has ended for good: nothing more is sent or received. */
  get ended(): boolean {
    return this.stopped;
  }

  /** How many things the user sent were still waiting for a connection at the end, never sent. */
  get unsent(): number {
    return this.unsentTotal;
  }

  /** quit() has been called (by the UI, or by a QUIT sent with raw()): the end is wanted. */
  get leaving(): boolean {
    return this.quitting !== null;
  }

  /** How far `conversation` has been read, as the server last said (draft/read-marker), or null. */
  readMarker(conversation: string): number | null {
    return this.markers.get(conversation);
  }

  /** The user has seen `conversation` up to `time` (server time): MARKREAD, see markers.ts. */
  markRead(conversation: string, time: number): void {
    this.markers.markRead(conversation, time);
  }

  /** Subscribe; returns the unsubscribe function. */
  onEvent(listener: Listener): () => void {
    return this.feed.subscribe(listener);
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
  override quit(reason = ''): Promise<void> {
    if (this.quitting !== null) return this.quitting.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.quitting = { promise, resolve };
    const betweenAttempts = this.link === null && this.phase !== 'idle';
    if (this.stopped || (betweenAttempts && this.outbox.size === 0)) {
      this.shutdown('quit');
      return promise;
    }
    if (betweenAttempts) {
      // Between attempts with lines waiting: one attempt now (not after the back-off), and the
      // lines go before QUIT if it registers in time, as before the first registration.
      this.timers.cancel(this.retryTimer);
      this.connect();
    }
    if (!this.upkeep.ready) {
      // Not registered yet (or not even started): QUIT waits behind what was typed before it
      // (`printf 'hi\n/quit\n' | parley connect`); the timer bounds the wait.
      this.timers.later(() => this.shutdown('quit'), this.quitBoundMs);
    }
    this.outbox.whenReady(() => {
      this.markers.flush();
      this.write(reason === '' ? 'QUIT' : serializeBody(null, 'QUIT', [cleanLine(reason)]));
      this.timers.later(() => this.shutdown('quit'), this.opts.quitTimeoutMs);
    }, true);
    return promise;
  }

  /** The longest a quit waits for a registration that has not come: one attempt, then QUIT. */
  get quitBoundMs(): number {
    return this.opts.connectTimeoutMs + this.opts.quitTimeoutMs;
  }

  /**
   * Give up now, as a failure: `reason` is said as an error, and the link, the retries and what
   * waits to be sent end ('disconnected' with `final: true`).
   */
  abandon(reason: string): void {
    if (this.stopped) return;
    this.feed.error('LINK', reason);
    this.shutdown(reason);
  }

  // ---- what the sending API (sending.ts) needs ----

  protected get live(): boolean {
    return this.upkeep.ready && this.link?.open === true;
  }

  protected write(line: string): void {
    this.link?.write(cleanLine(line));
  }

  protected prefer(nick: string): void {
    this.preferredNick = nick;
  }

  protected offers(cap: string): boolean {
    return this.upkeep.offered.has(cap);
  }

  // ---- connection ----

  private connect(): void {
    const { host, port, tls, tlsInsecure, tlsPin } = this.opts;
    this.phase = 'connecting';
    const attempt = this.attempt > 0 ? { attempt: this.attempt } : {};
    this.feed.emit({ type: 'state', state: 'connecting', ...attempt });
    this.upkeep.connecting();
    const link: Link = new Link(
      { host, port, tls, tlsInsecure, pin: tlsPin },
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
    this.feed.emit({ type: 'state', state: 'registering' });
    this.upkeep.open();
  }

  private onLine(raw: string): void {
    this.upkeep.received();
    const msg = parse(raw);
    if (isParseError(msg)) return;
    try {
      if (!this.upkeep.handle(msg)) this.feed.line(msg);
    } catch (err) {
      // A bug of ours on odd input must not take the connection down; say what happened.
      this.feed.error(
        'CLIENT',
        `Could not handle "${raw.slice(0, 80)}": ${(err as Error).message}`,
      );
    }
  }

  private onClosed(reason: string, fatal: boolean): void {
    this.link = null;
    this.timers.cancel(this.connectTimer);
    const up = this.upkeep;
    if (up.welcomed) this.restore.linkLost();
    this.st.reset();
    this.feed.catchUp.linkLost();
    this.markers.linkLost();
    up.linkLost();
    const why = this.quitting !== null ? 'quit' : (up.fatalReason ?? up.errorReason ?? reason);
    const policy = this.opts.reconnect;
    if (fatal && up.fatalReason === null && this.quitting === null) this.feed.error('LINK', why);
    if (this.quitting !== null || fatal || up.fatalReason !== null || policy === null) {
      return this.shutdown(why);
    }
    this.phase = 'disconnected';
    this.feed.emit({ type: 'state', state: 'disconnected', reason: why });
    const attempt = ++this.attempt;
    const retryInMs = backoffDelay(attempt, policy, this.opts.random);
    this.phase = 'reconnecting';
    this.feed.emit({ type: 'state', state: 'reconnecting', reason: why, retryInMs, attempt });
    this.retryTimer = this.timers.later(() => this.connect(), retryInMs);
  }

  /** The end: no link, no timers, no reconnect; 'disconnected' with `final: true`, once. */
  private shutdown(reason: string): void {
    const first = !this.stopped;
    this.stopped = true;
    this.timers.clearAll();
    this.upkeep.stop();
    const link = this.link;
    this.link = null;
    link?.fail(reason);
    const dropped = this.outbox.clear();
    if (dropped > 0) {
      this.unsentTotal += dropped;
      this.feed.error('QUEUE', unsentNote(dropped));
    }
    if (first) {
      this.phase = 'disconnected';
      this.feed.emit({ type: 'state', state: 'disconnected', reason, final: true });
    }
    this.quitting?.resolve();
  }

  // ---- registration (upkeep.ts handles the link's own lines and calls these) ----

  /** 001: we are `nick` on `server`; a later disconnection reconnects from the first delay. */
  private welcomed(nick: string, server: string): void {
    this.attempt = 0;
    this.myNick = nick;
    this.serverName = server;
  }

  /** End of the welcome burst (ISUPPORT known): connected; join channels, then send what waited. */
  private connected(): void {
    this.phase = 'connected';
    this.feed.emit({ type: 'state', state: 'connected' });
    const network = this.st.network;
    this.feed.emit({ type: 'registered', nick: this.myNick, server: this.serverName, network });
    for (const line of this.restore.lines(this.opts.channels)) this.write(line);
    this.feed.catchUp.registered();
    this.outbox.flush();
  }

  /** Resolves once the first registration settled (welcome, auto-joins and our JOINs answered). */
  whenSettled(): Promise<void> {
    return this.upkeep.whenSettled();
  }
}
