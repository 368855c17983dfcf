// Accounts on the wire: logging in and out (shared by SASL, NickServ and PASS), REGISTER and VERIFY (draft/account-registration).
//
// Every store call and every password hash goes through req.waitFor, so the client's later lines
// wait for the answer in order while everyone else's chat goes on. Passwords are never logged.
import { ERR, REGISTER_CODE, RPL, fold, isValidNick } from '../../protocol/index.js';
import { checkPassword, newAccount } from '../accounts.js';
import { CAPBIT } from '../capabilities.js';
import type { Client } from '../client.js';
import type { Request } from './request.js';
import type { CommandSpec } from './table.js';
import { deliverInbox } from './offline.js';
import { loadReadMarks } from './marks.js';

/** The services pseudo-user's nick (commands/nickserv.ts); no one else may take it. */
export const NICKSERV = 'NickServ';

/** The account the client is logged into (or will be, on registration), or null. */
export function accountOf(client: Client): string | null {
  return client.user !== null ? client.user.accountName : client.pendingAccount;
}

/** `nick!user@host` for 900/901, before registration too. */
function maskOf(client: Client): string {
  return client.user?.prefix ?? `${client.target}!${client.username ?? '*'}@${client.host}`;
}

/**
 * Log the client into account `name` (as registered): 900 to it, ACCOUNT to neighbours (and
 * extended-monitor watchers) with account-notify, and its nick is no longer taken back if it is the account's. Before
 * registration the account waits on the client and is applied with the welcome. `then` runs once
 * the account's read markers are in memory (see loadReadMarks).
 */
export function logIn(req: Request, name: string, then?: () => void): void {
  const { server, client } = req;
  req.numeric(RPL.LOGGEDIN, maskOf(client), name, `You are now logged in as ${name}`);
  const user = client.user;
  if (user === null) {
    // First: `then` (registration, which may attach to the account's user) can run at once.
    client.pendingAccount = name;
    loadReadMarks(req, name, then);
    return;
  }
  loadReadMarks(req, name, then);
  server.network.setAccount(user, name);
  server.cluster?.updated(user);
  server.network.deliver.toNeighboursAndWatchers(
    user,
    server.userEvent(user, 'ACCOUNT', [name]),
    CAPBIT.ACCOUNT_NOTIFY,
  );
  server.log.info({ nick: user.nick, account: name }, 'logged in');
  server.reservations.check(user);
  deliverInbox(req, user);
  server.cluster?.afterNews(req); // its next lines wait until every node knows the account
}

/** Log the client out: 901, `ACCOUNT *` to neighbours; a registered nick is taken back after the grace. */
export function logOut(req: Request): void {
  const { server, client } = req;
  const user = client.user;
  if (user === null) {
    client.pendingAccount = null;
  } else {
    server.network.setAccount(user, null);
    server.cluster?.updated(user);
    server.network.deliver.toNeighboursAndWatchers(
      user,
      server.event(user.prefix, 'ACCOUNT', ['*']),
      CAPBIT.ACCOUNT_NOTIFY,
    );
    server.reservations.check(user);
    server.cluster?.afterNews(req);
  }
  req.numeric(RPL.LOGGEDOUT, maskOf(client), 'You are now logged out');
}

export type LoginResult =
  | { ok: true; name: string }
  | { ok: false; why: 'failed' | 'throttled' | 'unavailable'; waitMs: number };

/**
 * Check `password` for account `name` and hand the outcome to `done` (at once or after the
 * store and the hash answer). A wrong password or unknown account spends a token of the
 * account's and of the address's failure bucket; with either empty the password is not checked.
 */
export function checkLogin(
  req: Request,
  name: string,
  password: string,
  done: (r: LoginResult) => void,
): void {
  const { server, client } = req;
  const store = server.store;
  if (store === null) return done({ ok: false, why: 'unavailable', waitMs: 0 });
  const key = fold(name);
  const now = req.now;
  const failures = server.loginFailures;
  const byAccount = 'a:' + key;
  const byAddress = 'i:' + client.conn.ip;
  const waitMs = Math.max(failures.waitMs(byAccount, now), failures.waitMs(byAddress, now));
  if (waitMs > 0) return done({ ok: false, why: 'throttled', waitMs });
  if (name === '' || password === '' || !isValidNick(name, 64)) {
    failures.spend(byAddress, now);
    return done({ ok: false, why: 'failed', waitMs: 0 });
  }
  const checked = store.accounts
    .get(key)
    .then(async (rec) => (rec !== null && (await checkPassword(rec, password)) ? rec.name : null));
  req.waitFor(
    checked,
    (found) => {
      if (found !== null) return done({ ok: true, name: found });
      failures.spend(byAccount, req.now);
      failures.spend(byAddress, req.now);
      server.log.info({ id: client.conn.ip, account: name }, 'login failed');
      done({ ok: false, why: 'failed', waitMs: 0 });
    },
    (why) => {
      server.log.warn({ why }, 'account store did not answer a login');
      done({ ok: false, why: 'unavailable', waitMs: 0 });
    },
  );
}

/** How REGISTER and NickServ REGISTER answer: a FAIL code, or success. */
export interface RegisterReplies {
  fail(code: string, account: string, text: string): void;
  success(account: string, text: string): void;
}

/** Letters an account name may not start with: Guest nicks are what reservation renames to. */
const GUEST = /^guest\d/i;

/** Whether `name` may not name an account: not a nick, a service's name, or a Guest nick. */
export function badAccountName(name: string, nickLen: number): boolean {
  const service = fold(name) === fold(NICKSERV) || fold(name) === fold('ChanServ');
  return !isValidNick(name, nickLen) || service || GUEST.test(name);
}
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Longest password in UTF-8 bytes: a bound on hashing work and on a line's worth of secret. */
const PASSWORD_MAX_BYTES = 300;

/**
 * Create account `name` with `password` (after the checks: name, password, email, throttle) and
 * log the client in. `name` null: the client has no nick yet.
 */
export function registerAccount(
  req: Request,
  name: string | null,
  email: string | null,
  password: string,
  reply: RegisterReplies,
): void {
  const { server, client } = req;
  const store = server.store!;
  const { nickLen, passwordMin } = server.config;
  if (name === null) return reply.fail(REGISTER_CODE.NEED_NICK, '*', 'Choose a nick first');
  if (accountOf(client) !== null) {
    return reply.fail(REGISTER_CODE.ALREADY_AUTHENTICATED, name, 'You are already logged in');
  }
  if (badAccountName(name, nickLen)) {
    return reply.fail(REGISTER_CODE.BAD_ACCOUNT_NAME, name, 'Account names follow nick rules');
  }
  const holder = server.network.findUser(name);
  if (holder !== undefined && holder !== client.user) {
    // No land grabs: a nick someone else is using is as taken as a registered name.
    return reply.fail(REGISTER_CODE.ACCOUNT_EXISTS, name, 'That nick is in use by someone else');
  }
  if (email !== null && !EMAIL.test(email)) {
    return reply.fail(REGISTER_CODE.INVALID_EMAIL, name, 'That is not an email address');
  }
  if ([...password].length < passwordMin) {
    return reply.fail(
      REGISTER_CODE.WEAK_PASSWORD,
      name,
      `Passwords have at least ${passwordMin} characters`,
    );
  }
  if (Buffer.byteLength(password) > PASSWORD_MAX_BYTES || fold(password) === fold(name)) {
    return reply.fail(
      REGISTER_CODE.UNACCEPTABLE_PASSWORD,
      name,
      `Passwords are at most ${PASSWORD_MAX_BYTES} bytes and not the account name`,
    );
  }
  const byAddress = 'i:' + client.conn.ip;
  const waitMs = server.registrations.waitMs(byAddress, req.now);
  if (waitMs > 0) {
    return reply.fail(
      REGISTER_CODE.TEMPORARILY_UNAVAILABLE,
      name,
      `Too many accounts registered from your address; try again in ${Math.ceil(waitMs / 1000)}s`,
    );
  }
  const key = fold(name);
  const created = store.accounts.get(key).then(async (existing) => {
    if (existing !== null) return false;
    server.registrations.spend(byAddress, req.now);
    const record = await newAccount(name, key, email, password, server.clock());
    return store.accounts.create(record);
  });
  req.waitFor(
    created,
    (ok) => {
      if (!ok) return reply.fail(REGISTER_CODE.ACCOUNT_EXISTS, name, 'That account already exists');
      server.log.info({ account: name, ip: client.conn.ip }, 'account registered');
      reply.success(name, 'Account created');
      logIn(req, name);
    },
    (why) => {
      server.log.warn({ why }, 'account store did not answer a registration');
      reply.fail(
        REGISTER_CODE.TEMPORARILY_UNAVAILABLE,
        name,
        'Accounts are unavailable; try later',
      );
    },
  );
}

/** Without a store there are no accounts: the account commands are unknown, as if not there. */
function noStore(req: Request): boolean {
  if (req.server.store !== null) return false;
  req.numeric(ERR.UNKNOWNCOMMAND, req.msg.command, 'Unknown command');
  return true;
}

/** With --register-before-connect off, REGISTER and VERIFY wait for the welcome: FAIL until then. */
function tooEarly(req: Request, account: string): boolean {
  if (req.client.user !== null || req.server.config.registerBeforeConnect) return false;
  req.standard(
    'FAIL',
    REGISTER_CODE.COMPLETE_CONNECTION_REQUIRED,
    account,
    'Finish connecting (NICK, USER, CAP END) before registering',
  );
  return true;
}

// REGISTER <account|*> <email|*> <password>
function register(req: Request): void {
  if (noStore(req)) return;
  const [account, email, password] = req.params;
  if (tooEarly(req, account)) return;
  const client = req.client;
  // `*`: the nick; before the welcome, the one last asked for, even if it was refused as in use.
  const name =
    account === '*' ? (client.user?.nick ?? client.pendingNick ?? client.askedNick) : account;
  registerAccount(req, name, email === '*' ? null : email, password, {
    fail: (code, acct, text) => req.standard('FAIL', code, acct, text),
    success: (acct, text) => req.line(req.server.config.name, 'REGISTER', ['SUCCESS', acct, text]),
  });
}

// VERIFY <account> <code>
function verify(req: Request): void {
  if (noStore(req)) return;
  const account = req.params[0];
  if (tooEarly(req, account)) return;
  const store = req.server.store!;
  // parley sends no mail: an account is complete when REGISTER succeeds, so no code is valid.
  req.waitFor(
    store.accounts.get(fold(account)),
    (rec) =>
      rec !== null
        ? req.standard(
            'FAIL',
            REGISTER_CODE.ACCOUNT_ALREADY_VERIFIED,
            account,
            'Accounts here need no verification',
          )
        : req.standard('FAIL', REGISTER_CODE.INVALID_CODE, account, 'No such account to verify'),
    () =>
      req.standard(
        'FAIL',
        REGISTER_CODE.TEMPORARILY_UNAVAILABLE,
        account,
        'Accounts are unavailable; try later',
      ),
  );
}

export const accountCommands: CommandSpec[] = [
  {
    name: 'REGISTER',
    syntax: 'REGISTER <account|*> <email|*> <password>',
    help: 'Create an account (* as the account: your nick) and log into it; no email is needed.',
    minParams: 3,
    preRegistration: true,
    handler: register,
  },
  {
    name: 'VERIFY',
    syntax: 'VERIFY <account> <code>',
    help: 'Confirm an account registration; parley needs no confirmation, so this always fails.',
    minParams: 2,
    preRegistration: true,
    handler: verify,
  },
];
