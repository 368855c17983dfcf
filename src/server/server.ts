// The chat server: wires listener, connections, network state and the command table together.
import type { AddressInfo, Socket } from 'node:net';
import { fold, serializeBody, type Tags } from '../protocol/index.js';
import type { ClusterLink } from './cluster.js';
import { Admission } from './admission.js';
import type { Channel } from './channel.js';
import type { ChatLog } from './chatlog.js';
import { allCommands } from './commands/index.js';
import { CommandTable } from './commands/table.js';
import { connectionLimits, type ServerConfig } from './config.js';
import {
  Connection,
  type Clock,
  type ConnectionEvents,
  type ConnectionLimits,
  nowhereConn,
} from './connection.js';
import { relayDirect } from './direct.js';
import { dispatchLine, refuseLongLine } from './dispatch.js';
import { beforeEveryWrite } from './flush.js';
import { Listener, type AcceptPolicy } from './listener.js';
import type { Logger } from './diagnostics.js';
import { Network } from './network.js';
import { History } from './history.js';
import { ChannelRegistry } from './registry.js';
import type { Store } from '../store/types.js';
import { ServerEvent } from './event.js';
import { CheckBudget } from './opers.js';
import {
  LOGIN_FAILURE_EVERY_MS,
  LOGIN_FAILURES_BURST,
  REGISTER_BURST,
  REGISTER_EVERY_MS,
  Throttle,
} from './accounts.js';
import { Reservations } from './reservation.js';
import { errorLine, normalizeIp } from './wire.js';
import { WsListener } from './websocket.js';
import { TlsListener } from './tls.js';
import { Client } from './client.js';
import { Stamper } from './stamp.js';
import { StoreAlarm } from './store-alarm.js';
import { sweepTimeouts } from './timeouts.js';
import type { User } from './user.js';

export interface ServerDeps {
  log: Logger;
  chatlog: ChatLog;
  clock?: Clock;
  /** Where accounts and history are kept; null: nowhere (`--db off`). */
  store?: Store | null;
}

export class Server implements ConnectionEvents<Client> {
  readonly network = new Network();
  readonly commands = new CommandTable(allCommands);
  readonly clock: Clock;
  readonly log: Logger;
  readonly chatlog: ChatLog;
  readonly stamper: Stamper;
  /** Accounts, history and lasting settings; null when the server keeps nothing (`--db off`). */
  readonly store: Store | null;
  /** Turns accepted messages into stored records; null without a store. */
  readonly history: History | null;
  /** Registered channels (ChanServ), kept in the store; null without one. */
  readonly registry: ChannelRegistry | null;
  readonly startedAt: Date;
  /** Password checks for OPER, budgeted server-wide (opers.ts). */
  readonly operChecks = new CheckBudget();
  /** Wrong passwords per account (`a:key`) and per address (`i:ip`): SASL, NickServ, PASS. */
  readonly loginFailures = new Throttle(LOGIN_FAILURES_BURST, LOGIN_FAILURE_EVERY_MS);
  /** Accounts registered per address (`i:ip`). */
  readonly registrations = new Throttle(REGISTER_BURST, REGISTER_EVERY_MS);
  /** This server as a node of a cluster (--cluster), or null when it stands alone. */
  cluster: ClusterLink | null = null;
  /** Registered nicks held by someone not logged into them, and their deadlines. */
  readonly reservations = new Reservations(this);
  /** Re-read the config file (REHASH; serve.ts sets it): the file, and the problem if it failed. */
  rehash: () => { file: string | null; problem: string | null } = () => ({
    file: null,
    problem: 'this server was started without a config file (--config)',
  });
  private readonly clients = new Set<Client>();
  /** Who may connect, connections per address, and host cloaks. */
  private readonly admission = new Admission();
  private readonly listener: Listener;
  private wsListener: WsListener | null = null;
  /** Where the WebSocket listener listens, once listen() has started it (--websocket-port). */
  wsAddress: AddressInfo | null = null;
  private tlsListener: TlsListener | null = null;
  /** Where the TLS listener listens, once listen() has started it (--tls-port). */
  tlsAddress: AddressInfo | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private limits: ConnectionLimits;
  private stopping = false;
  private readonly storeAlarm: StoreAlarm;
  private readonly commitStore = (): void => this.store?.flush();
  /** What every listener (plain, WebSocket, TLS) asks before and tells after it accepts a socket. */
  private readonly gate: AcceptPolicy = {
    admit: (socket) => this.admit(socket),
    accepted: (socket) => this.accept(socket),
  };

  constructor(
    public config: ServerConfig,
    deps: ServerDeps,
  ) {
    this.log = deps.log;
    this.chatlog = deps.chatlog;
    this.clock = deps.clock ?? Date.now;
    this.stamper = new Stamper(this.clock);
    this.storeAlarm = new StoreAlarm(this.log, this.clock, (text) => this.noticeUsers(text));
    this.store = deps.store ?? null;
    this.history = this.store === null ? null : new History(this.store);
    this.registry = this.store === null ? null : new ChannelRegistry(this.store, this.network);
    if (this.registry !== null) {
      const registry = this.registry;
      this.network.channelChanged = (channel) => registry.changed(channel);
      this.network.channelRenamed = (channel, old) => registry.renamed(channel, old);
    }
    this.startedAt = new Date(this.clock());
    this.limits = connectionLimits(config);
    this.chatlog.logPrivate = config.logPrivate;
    this.chatlog.enabled = config.logChat;
    this.listener = new Listener(this.gate);
    this.setLargeThresholds();
    this.network.large.changed = (channel) => this.announceLarge(channel);
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  async listen(): Promise<AddressInfo> {
    if (this.store !== null) {
      const store = this.store;
      await this.admission.loadSecret(store);
      // A commit failed: the log and every user are told (store-alarm.ts); chat goes on.
      store.onError = (err) => this.storeAlarm.failed(err, store.where);
      const kept = await this.registry!.load();
      if (kept > 0) this.log.info({ channels: kept }, 'registered channels restored');
      beforeEveryWrite(this.commitStore, true);
    }
    const cluster = this.cluster;
    if (cluster !== null) await this.admission.shareSecret((mine) => cluster.shareSecret(mine));
    const addr = await this.listener.listen(this.config.host, this.config.port);
    if (this.config.websocketPort !== null) {
      this.wsListener = new WsListener(this.gate);
      try {
        this.wsAddress = await this.wsListener.listen(this.config.host, this.config.websocketPort);
      } catch (err) {
        await this.listener.close();
        throw err;
      }
    }
    if (this.config.tls !== null) {
      this.tlsListener = new TlsListener(this.gate, this.config.tls, this.log);
      try {
        this.tlsAddress = await this.tlsListener.listen(this.config.host, this.config.tls.port);
      } catch (err) {
        await Promise.all([this.listener.close(), this.wsListener?.close()]);
        throw err;
      }
    }
    this.sweepTimer = setInterval(() => this.sweep(), 1000);
    return addr;
  }

  /** Swap in a new configuration (SIGHUP). Address changes need a restart. */
  reload(config: ServerConfig): void {
    const { host, port, websocketPort } = this.config;
    if (config.host !== host || config.port !== port || config.websocketPort !== websocketPort) {
      this.log.warn({}, 'host and port changes take effect on restart');
    }
    const tls = this.reloadTls(config.tls);
    this.config = { ...config, host, port, websocketPort, tls };
    this.limits = connectionLimits(this.config);
    this.setLargeThresholds();
    this.chatlog.logPrivate = this.config.logPrivate;
    this.chatlog.enabled = this.config.logChat;
    for (const s of this.clients) s.conn.setLimits(this.limits);
    this.log.info({}, 'configuration reloaded');
  }

  /**
   * The TLS settings to keep after a reload: a new certificate and key for new connections (a pair
   * that fails to load keeps the old one); turning TLS on or off, or its port, needs a restart.
   */
  private reloadTls(next: ServerConfig['tls']): ServerConfig['tls'] {
    const now = this.config.tls;
    if ((now?.port ?? null) !== (next?.port ?? null)) {
      this.log.warn({}, 'turning TLS on or off, or moving its port, takes effect on restart');
    }
    if (now === null || next === null) return now;
    if (next.cert === now.cert && next.key === now.key) return now;
    try {
      this.tlsListener?.setCredentials(next);
      this.log.info({}, 'TLS certificate reloaded');
      return { ...now, cert: next.cert, key: next.key };
    } catch (err) {
      this.log.error({}, `TLS certificate not reloaded, keeping the old one: ${String(err)}`);
      return now;
    }
  }

  /** Tell every client, close every connection and stop listening. */
  async shutdown(reason = 'Server shutting down'): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    const closing = Promise.all([
      this.listener.close(),
      this.wsListener?.close(),
      this.tlsListener?.close(),
    ]);
    const last = errorLine(reason);
    for (const s of [...this.clients]) s.conn.close(reason, last);
    this.chatlog.flush();
    await closing;
    await this.cluster?.close();
    if (this.store !== null) {
      beforeEveryWrite(this.commitStore, false);
      await this.store.close();
    }
  }

  /** A NOTICE from the server to every user of this server. */
  private noticeUsers(text: string): void {
    for (const u of this.network.allUsers()) {
      if (u.remote !== null) continue;
      const line = serializeBody(this.config.name, 'NOTICE', [u.nick, text]) + '\r\n';
      for (const s of u.sessions()) s.conn.sendText(line);
    }
  }

  // ---- stamping and delivery helpers for handlers ----

  /** Stamp an event from `source` (server-time, msgid) for delivery to many. */
  event(source: string, command: string, params: string[], clientTags: Tags | null = null) {
    return new ServerEvent(source, command, params, this.stamper.next(), clientTags);
  }

  /** An event from `user`: like event(), with the account-tag of its account when logged in. */
  userEvent(user: User, command: string, params: string[], clientTags: Tags | null = null) {
    const out = this.event(user.prefix, command, params, clientTags);
    out.account = user.accountName;
    return out;
  }

  /**
   * Give `user` the nick `wanted` (valid and free): NICK to its neighbours, MONITOR news, the
   * console line, and a reservation check. Returns the event, for the user itself.
   */
  changeNick(user: User, wanted: string): ServerEvent {
    const out = this.userEvent(user, 'NICK', [wanted]);
    const old = user.nick;
    this.network.renameUser(user, wanted, out.stamp.ms);
    if (user.remote === null) this.cluster?.renamed(user, old);
    if (fold(old) !== user.folded) {
      this.presence(old, null);
      this.presence(wanted, user.prefix);
    }
    this.network.deliver.toNeighbours(user, out);
    this.chatlog.nick(out.stamp.ms, old, wanted);
    if (user.remote === null) this.reservations.check(user);
    return out;
  }

  /** Close `client` with an ERROR line; the QUIT reaches its neighbours through `closed`. */
  disconnect(client: Client, reason: string): void {
    const user = client.user;
    // A detached always-on user has no link to close (KILL, a nick taken back): it leaves now.
    if (user !== null && user.detached && client === user.client)
      return this.killUser(user, reason);
    const who = client.user?.nick ?? client.pendingNick ?? '*';
    client.conn.close(reason, errorLine(`Closing link: ${who}[${client.host}] (${reason})`));
  }

  /** `user` leaves now (KILL), whatever --always-on says, and every connection of it closes. */
  killUser(user: User, reason: string): void {
    const links = user.sessions();
    this.quitUser(user, reason);
    for (const c of links) this.disconnect(c, reason);
  }

  /**
   * Whether `user` stays on the network now that its connection `client` has gone: another of its
   * connections carries on (--multiclient), or it is always-on (--always-on, logged in) and waits
   * detached, in its channels, for the next connection to its account.
   */
  private stays(user: User, client: Client): boolean {
    if (user.remote !== null) return false;
    // Not in a cluster yet: the other nodes would have to keep a user no node holds.
    const keep =
      this.config.alwaysOn && user.account !== null && !this.stopping && this.cluster === null;
    const stays = this.network.detach(
      user,
      client,
      keep,
      () => new Client(nowhereConn(), user.host),
    );
    if (stays && user.detached) this.log.info({ nick: user.nick }, 'always-on user detached');
    return stays;
  }

  /** Remove a registered user: QUIT to everyone sharing a channel, console line, nick freed. */
  quitUser(user: User, reason: string): void {
    const out = this.userEvent(user, 'QUIT', [reason]);
    this.network.deliver.toNeighbours(user, out, 0, true);
    this.network.removeUser(user, out.stamp.ms);
    if (user.remote === null) this.cluster?.leave(user, reason);
    this.reservations.forget(user);
    this.presence(user.nick, null);
    this.chatlog.quit(out.stamp.ms, user.nick, reason);
  }

  /** MONITOR news: `nick` came online as `prefix` (730), or went offline (null: 731). */
  presence(nick: string, prefix: string | null): void {
    this.network.monitors.tell(this.config.name, nick, prefix);
  }

  private setLargeThresholds(): void {
    this.network.large.at = this.config.largeChannel;
    this.network.large.lobbyAt = this.config.largeLobby;
    this.network.large.lobby = fold(this.config.defaultChannel);
  }

  /** A channel became large (+u) or stopped being large (-u): every member is told, as a MODE. */
  private announceLarge(channel: Channel): void {
    const out = this.event(this.config.name, 'MODE', [channel.name, channel.large ? '+u' : '-u']);
    this.network.deliver.toChannelSoon(channel, out, null);
    this.log.info(
      { channel: channel.name, members: channel.members.size },
      channel.large ? 'channel is large now (+u)' : 'channel is no longer large (-u)',
    );
  }

  // ---- accept policy ----

  private admit(socket: Socket): string | null {
    if (this.stopping) return 'Server shutting down';
    const ip = normalizeIp(socket.remoteAddress ?? '');
    const refusal = this.admission.refusal(ip, this.clients.size, this.config);
    if (refusal !== null) this.log.info({ ip, reason: refusal }, 'connection refused');
    return refusal;
  }

  private accept(socket: Socket): void {
    const conn = new Connection<Client>(socket, this.limits, this, this.clock);
    const client = new Client(conn, this.admission.opened(conn.ip, this.config));
    conn.owner = client;
    this.clients.add(client);
    this.network.census.connectionOpened();
    // A line per connection and per close at info, as operators expect; each costs ~30 us of
    // pretty-printing in text format (~6 us as JSON), and `--log-level warn` drops them.
    this.log.info({ id: conn.id, ip: conn.ip }, 'connection accepted');
  }

  // ---- ConnectionEvents ----

  line(conn: Connection<Client>, line: string, utf8: boolean): void {
    dispatchLine(this, conn.owner, line, utf8);
  }

  rawLine(conn: Connection<Client>, buf: Buffer, start: number, end: number): boolean {
    return relayDirect(this, conn, buf, start, end);
  }

  lineTooLong(conn: Connection<Client>): void {
    refuseLongLine(this, conn.owner);
  }

  closed(conn: Connection<Client>, reason: string): void {
    const client = conn.owner;
    if (!this.clients.delete(client)) return;
    this.admission.closed(conn.ip);
    this.network.census.connectionClosed(client.user !== null);
    const user = client.user;
    // A user that already left (KILL: killUser) is not quit again by each of its connections.
    if (user !== null && this.network.isOn(user) && !this.stays(user, client)) {
      this.quitUser(user, reason);
    }
    if (client.claimedNick !== null) this.cluster?.release(client.claimedNick);
    this.log.info(
      { id: conn.id, ip: conn.ip, nick: client.user?.nick, reason },
      'connection closed',
    );
  }

  // ---- timers: one sweep per second for every connection ----

  private sweep(): void {
    const now = this.clock();
    this.history?.maybePrune(now, this.config.historyMax, this.config.historyAge);
    this.reservations.sweep(now);
    sweepTimeouts(this.clients, now, this.config, (s, reason) => this.disconnect(s, reason));
  }
}
