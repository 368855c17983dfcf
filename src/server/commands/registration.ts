// Connection registration and upkeep: CAP, PASS, NICK, USER, PING, PONG, QUIT.
import { timingSafeEqual } from 'node:crypto';
import { ERR, RPL, fold, isValidNick, truncateUtf8 } from '../../protocol/index.js';
import { offeredCaps, capByName, capNames, CAPBIT, stsCap } from '../capabilities.js';
import { User } from '../user.js';
import type { Request } from './request.js';
import type { CommandSpec } from './table.js';
import { joinChannels, rejoinBurst } from './channels.js';
import { deliverInbox } from './offline.js';
import { sendWelcome } from './welcome.js';
import { CHANSERV } from './chanserv.js';
import { NICKSERV, checkLogin, logIn, type LoginResult } from './accounts.js';

// CAP <subcommand> [:<capabilities>]
function cap(req: Request): void {
  const s = req.client;
  const sub = req.params[0].toUpperCase();
  const name = req.server.config.name;
  switch (sub) {
    case 'LS': {
      const version = parseInt(req.params[1] ?? '0', 10) || 0;
      s.capVersion = Math.max(s.capVersion, version);
      if (s.capVersion >= 302) s.caps |= CAPBIT.CAP_NOTIFY; // implied by 302
      if (s.user === null) s.capNegotiating = true;
      // CAP LS 302 gives values (draft/multiline's limits); older clients get the bare names.
      const { registerBeforeConnect } = req.server.config;
      const words = offeredCaps(req.server.store !== null, registerBeforeConnect).map((c) =>
        c.value !== undefined && s.capVersion >= 302 ? `${c.name}=${c.value}` : c.name,
      );
      // STS only with values: without its port or duration the name says nothing.
      const sts = stsCap(
        req.server.tlsAddress?.port ?? null,
        req.server.config.stsDuration,
        s.secure,
      );
      if (sts !== null && s.capVersion >= 302) words.push(sts);
      req.line(name, 'CAP', [s.target, 'LS', words.join(' ')]);
      return;
    }
    case 'LIST':
      req.line(name, 'CAP', [s.target, 'LIST', capNames(s.caps).join(' ')]);
      return;
    case 'REQ': {
      // Any REQ before registration holds it until CAP END, the ones answered NAK too (IRCv3).
      if (s.user === null) s.capNegotiating = true;
      const asked = (req.params[1] ?? '').split(' ').filter((w) => w.length > 0);
      // Applied left to right, as a client reads the ACK: in `-batch batch` the last one wins.
      let caps = s.caps;
      for (const word of asked) {
        const off = word.startsWith('-');
        const c = capByName(off ? word.slice(1) : word, req.server.store !== null);
        if (c === undefined) {
          req.line(name, 'CAP', [s.target, 'NAK', req.params[1] ?? '']);
          return;
        }
        caps = off ? caps & ~c.bit : caps | c.bit;
      }
      s.caps = caps;
      req.line(name, 'CAP', [s.target, 'ACK', req.params[1] ?? '']);
      return;
    }
    case 'END':
      if (s.user !== null || !s.capNegotiating) return;
      s.capNegotiating = false;
      if (s.sasl !== null) {
        // IRCv3 SASL: registration completing mid-exchange aborts it.
        s.sasl = null;
        req.numeric(ERR.SASLABORTED, 'SASL authentication aborted');
      }
      tryRegister(req);
      return;
    default:
      req.numeric(ERR.INVALIDCAPCMD, req.params[0], 'Invalid CAP command');
  }
}

// PASS <password>  |  PASS <account>:<password>  (the second: a login, when there is no server password)
function pass(req: Request): void {
  const s = req.client;
  if (s.user !== null) return req.numeric(ERR.ALREADYREGISTERED, 'You may not reregister');
  const want = req.server.config.password;
  s.passOk = want !== null && sameSecret(req.params[0], want);
  if (want === null && req.server.store !== null) {
    // No connection password to check: PASS names an account to log into on registration.
    const given = req.params[0];
    const colon = given.indexOf(':');
    s.passLogin =
      colon > 0
        ? { account: given.slice(0, colon), password: given.slice(colon + 1) }
        : { account: null, password: given };
  }
}

function sameSecret(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

// NICK <nickname>
function nick(req: Request): void {
  const s = req.client;
  const wanted = req.params[0] ?? '';
  if (wanted.length === 0) return req.numeric(ERR.NONICKNAMEGIVEN, 'No nickname given');
  if (!isValidNick(wanted, req.server.config.nickLen)) {
    return req.numeric(ERR.ERRONEUSNICKNAME, wanted, 'Erroneous nickname');
  }
  if (s.user === null) s.askedNick = wanted;
  const net = req.server.network;
  if (
    req.server.store !== null &&
    (fold(wanted) === fold(NICKSERV) || fold(wanted) === fold(CHANSERV))
  ) {
    return req.numeric(ERR.ERRONEUSNICKNAME, wanted, 'Reserved for services');
  }
  const holder = net.findUser(wanted);
  const user = s.user;
  // A user of another node may have just left (the news on its way): the cluster's claim decides.
  if (holder !== undefined && holder !== user && holder.remote === null) {
    // Logged in (or logging in with PASS) as the holder's account: registration may attach.
    const attach = user === null && (mayAttach(req, holder) || s.passLogin !== null);
    if (!attach) return req.numeric(ERR.NICKNAMEINUSE, wanted, 'Nickname is already in use');
  }
  if (user === null) {
    s.pendingNick = wanted;
    tryRegister(req);
    return;
  }
  if (wanted === user.nick) return;
  if (fold(wanted) === user.folded) return renamed(req, user, wanted);
  withClaim(req, wanted, () => {
    if (s.user === null) return;
    if (s.claimedNick === wanted) s.claimedNick = null;
    renamed(req, s.user, wanted);
  });
}

/** Rename `user`; in a cluster its NICK comes back once every node has the news (MONITOR, WHOIS). */
function renamed(req: Request, user: User, wanted: string): void {
  const out = req.server.changeNick(user, wanted);
  const cluster = req.server.cluster;
  if (cluster === null) return req.own(out);
  cluster.afterNews(req, () => req.own(out));
}

/**
 * In a cluster, claim `nick` network-wide before `then` (the client's later lines wait for the
 * answer): 433 when another node has it, 437 when Redis does not answer. Alone, `then` at once.
 */
function withClaim(req: Request, nick: string, then: () => void): void {
  const cluster = req.server.cluster;
  const s = req.client;
  if (cluster === null || s.claimedNick === nick) return then();
  const username = s.user?.username ?? s.username ?? '';
  const realname = s.user?.realname ?? s.realname ?? '';
  const claim = cluster.claim(nick, username, s.host, realname);
  // Registered first, so it runs before waitFor's answer: a claim is never lost track of.
  claim.then(
    (ok) => {
      if (!ok) return;
      if (s.conn.isGone()) cluster.release(nick);
      else s.claimedNick = nick;
    },
    () => {},
  );
  req.waitFor(
    claim,
    (ok) => {
      if (ok) then();
      else req.numeric(ERR.NICKNAMEINUSE, nick, 'Nickname is already in use');
    },
    () => req.numeric(ERR.UNAVAILRESOURCE, nick, 'Nick/channel is temporarily unavailable'),
  );
}

// USER <username> <mode> <unused> :<realname>
function user(req: Request): void {
  const s = req.client;
  if (s.user !== null || s.username !== null) {
    return req.numeric(ERR.ALREADYREGISTERED, 'You may not reregister');
  }
  if (req.params[3] === '') return req.numeric(ERR.NEEDMOREPARAMS, 'USER', 'Not enough parameters');
  const { userLen, realnameLen } = req.server.config;
  // USERLEN counts the '~' that marks a user name nobody verified (no ident lookup here).
  const raw = req.params[0].replace(/[^A-Za-z0-9._-]/g, '').slice(0, userLen - 1);
  s.username = '~' + (raw.length > 0 ? raw : 'user'.slice(0, userLen - 1));
  s.realname = truncateUtf8(req.params[3], realnameLen);
  tryRegister(req);
}

/** Complete registration once NICK and USER are in and CAP negotiation (if any) has ended. */
function tryRegister(req: Request): void {
  const s = req.client;
  if (s.user !== null || s.pendingNick === null || s.username === null || s.capNegotiating) return;
  const server = req.server;
  if (server.config.password !== null && !s.passOk) {
    req.numeric(ERR.PASSWDMISMATCH, 'Password incorrect');
    server.disconnect(s, 'Bad password');
    return;
  }
  const login = s.passLogin;
  if (login !== null) {
    s.passLogin = null;
    if (s.pendingAccount === null) {
      const account = login.account ?? s.pendingNick;
      checkLogin(req, account, login.password, (r) => {
        // Registration (and the default channel's JOIN) once the account's markers are in.
        if (r.ok) return logIn(req, r.name, () => tryRegister(req));
        passLoginFailed(req, account, r);
        tryRegister(req);
      });
      return;
    }
  }
  const holder = server.network.findUser(s.pendingNick);
  if (holder !== undefined && mayAttach(req, holder)) return attach(req, holder);
  const cluster = server.cluster;
  if (cluster !== null && s.claimedNick !== s.pendingNick) {
    const wanted = s.pendingNick;
    return withClaim(req, wanted, () => {
      if (s.pendingNick === wanted) tryRegister(req);
    });
  }
  const u = new User(s.pendingNick, s.username, s.realname ?? '', s.host, s, req.now);
  if (s.secure) u.modes = 'Z'; // a TLS link; not in the network yet, so set here
  if (!server.network.addUser(u)) {
    req.numeric(ERR.NICKNAMEINUSE, s.pendingNick, 'Nickname is already in use');
    if (s.claimedNick !== null) cluster?.release(s.claimedNick);
    s.pendingNick = s.claimedNick = null;
    return;
  }
  s.user = u;
  s.claimedNick = null;
  if (s.pendingAccount !== null) {
    server.network.setAccount(u, s.pendingAccount);
    s.pendingAccount = null;
  }
  cluster?.arrive(u);
  server.presence(u.nick, u.prefix);
  server.log.debug({ nick: u.nick, id: s.conn.id, ip: s.conn.ip }, 'registered');
  sendWelcome(req);
  server.reservations.check(u);
  const lobby = server.config.defaultChannel;
  if (lobby !== '' && cluster !== null) {
    cluster.replica.submitFor(req, { tags: null, source: null, command: 'JOIN', params: [lobby] });
  } else if (lobby !== '') joinChannels(req, [lobby], []);
  deliverInbox(req, u); // private messages kept while the account was offline
}

/**
 * Whether the registering client may become one more connection of `holder` (whose nick it asks
 * for): it has logged into `holder`'s account, and --multiclient is on or `holder` is detached.
 */
function mayAttach(req: Request, holder: User): boolean {
  const s = req.client;
  if (holder.remote !== null || holder.account === null || s.pendingAccount === null) return false;
  if (!req.server.config.multiclient && !holder.detached) return false;
  return fold(s.pendingAccount) === holder.account;
}

/**
 * Registration as one more connection of `holder`: the welcome under its nick, then its channels
 * as if just joined (JOIN, topic, names, read marker) and what waited in its inbox.
 */
function attach(req: Request, holder: User): void {
  const { server } = req;
  const s = req.client;
  const wasDetached = holder.detached;
  server.network.attach(holder, s);
  s.pendingAccount = null;
  server.log.info(
    { nick: holder.nick, id: s.conn.id, ip: s.conn.ip, sessions: 1 + (holder.others?.length ?? 0) },
    wasDetached ? 'always-on user attached' : 'another connection attached',
  );
  sendWelcome(req);
  if (holder.away !== null) req.numeric(RPL.NOWAWAY, 'You have been marked as being away');
  rejoinBurst(req, [...holder.channels]);
  deliverInbox(req, holder);
}

/** PASS named an account but the login failed: registration goes on, logged out, and says why. */
function passLoginFailed(req: Request, account: string, r: LoginResult): void {
  if (r.ok) return;
  const why =
    r.why === 'throttled'
      ? `too many failed logins; try again in ${Math.ceil(r.waitMs / 1000)}s`
      : r.why === 'unavailable'
        ? 'accounts are unavailable'
        : 'wrong account or password';
  req.line(req.server.reservations.source, 'NOTICE', [
    req.client.target,
    `PASS did not log you into ${account}: ${why}`,
  ]);
}

// PING <token>
function ping(req: Request): void {
  const name = req.server.config.name;
  req.line(name, 'PONG', [name, req.params[0]]);
}

// QUIT [<reason>]
function quit(req: Request): void {
  const reason = req.params[0] ? `Quit: ${req.params[0]}` : 'Client Quit';
  req.finish(); // a labeled QUIT gets its ACK before the link closes
  const close = () => req.server.disconnect(req.client, reason);
  const cluster = req.server.cluster;
  const user = req.client.user;
  // Another connection of the same user carries on (--multiclient): nobody else hears of it.
  if (cluster === null || user === null || !cluster.reachable || user.others !== null) {
    return close();
  }
  // In a cluster the nick is given back and the leaving published before the link closes, so
  // a client that reconnects at once, through any node, finds the nick free, and anyone acting
  // on the ERROR finds the user gone everywhere.
  req.waitFor(cluster.quitNow(user, reason), close, close, 1000);
}

export const registrationCommands: CommandSpec[] = [
  {
    name: 'CAP',
    syntax: 'CAP <LS|LIST|REQ|END> [<capabilities>]',
    help: 'Negotiate IRCv3 capabilities.',
    minParams: 1,
    preRegistration: true,
    handler: cap,
  },
  {
    name: 'PASS',
    syntax: 'PASS <password>',
    help: 'Give the server password before registering.',
    minParams: 1,
    preRegistration: true,
    handler: pass,
  },
  {
    name: 'NICK',
    syntax: 'NICK <nickname>',
    help: 'Choose or change your nickname.',
    minParams: 0,
    preRegistration: true,
    handler: nick,
  },
  {
    name: 'USER',
    syntax: 'USER <username> 0 * <realname>',
    help: 'Give your username and real name when registering.',
    minParams: 4,
    preRegistration: true,
    handler: user,
  },
  {
    name: 'PING',
    syntax: 'PING <token>',
    help: 'Check the link; the server answers PONG.',
    minParams: 1,
    preRegistration: true,
    handler: ping,
  },
  {
    name: 'PONG',
    syntax: 'PONG <token>',
    help: 'Answer a PING from the server.',
    minParams: 0,
    preRegistration: true,
    handler: () => {},
  },
  {
    name: 'QUIT',
    syntax: 'QUIT [<reason>]',
    help: 'Leave the server.',
    minParams: 0,
    preRegistration: true,
    handler: quit,
  },
];
