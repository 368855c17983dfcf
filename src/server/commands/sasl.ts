// AUTHENTICATE (IRCv3 SASL 3.1/3.2): PLAIN and SCRAM-SHA-256, in 400-byte base64 chunks, before or after registration.
//
//   AUTHENTICATE <mechanism>  ->  AUTHENTICATE +
//   PLAIN:          AUTHENTICATE <authzid\0authcid\0password>          -> 900 903 | 904
//   SCRAM-SHA-256:  AUTHENTICATE <client-first>  -> AUTHENTICATE <server-first>
//                   AUTHENTICATE <client-final>  -> AUTHENTICATE <v=signature> | 904
//                   AUTHENTICATE +               -> 900 903
//   AUTHENTICATE *  -> 906 (abort) at any step; CAP END during an exchange aborts it too (906).
//
// After registration SASL logs a user in as it would before (as Ergo allows); once logged in,
// 907. Payloads are never logged.
import { randomBytes } from 'node:crypto';
import { ERR, RPL, SASL_MECHANISMS, fold } from '../../protocol/index.js';
import { scramVerify } from '../accounts.js';
import type { ScramCredentials } from '../../store/types.js';
import { accountOf, checkLogin, logIn, type LoginResult } from './accounts.js';
import type { Request } from './request.js';
import type { CommandSpec } from './table.js';

/** A chunk of a SASL message: longer is 905; exactly this long means more follows. */
const CHUNK = 400;
/** The most base64 one SASL message may gather (904 past it). */
const MAX_MESSAGE = 8192;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type Mechanism = (typeof SASL_MECHANISMS)[number];

/** SCRAM's state between the server-first message and the client's proof. */
interface ScramState {
  account: string;
  creds: ScramCredentials;
  /** The gs2 header as sent (`n,,`): c= must be its base64. */
  gs2: string;
  clientFirstBare: string;
  serverFirst: string;
  nonce: string;
}

/** A SASL exchange in progress on one client. */
export interface SaslSession {
  mechanism: Mechanism;
  /** base64 gathered from chunks of exactly 400 bytes. */
  gathered: string;
  scram: ScramState | null;
  /** SCRAM: the server signature was sent; the client's `+` completes the login to this account. */
  verified: string | null;
}

function fail(req: Request, text = 'SASL authentication failed'): void {
  req.client.sasl = null;
  req.numeric(ERR.SASLFAIL, text);
}

function succeed(req: Request, account: string): void {
  req.client.sasl = null;
  logIn(req, account);
  req.numeric(RPL.SASLSUCCESS, 'SASL authentication successful');
}

/** The outcome of a password check, as numerics. */
function answer(req: Request, r: LoginResult): void {
  if (r.ok) return succeed(req, r.name);
  if (r.why === 'throttled') {
    return fail(req, `Too many failed logins; try again in ${Math.ceil(r.waitMs / 1000)}s`);
  }
  fail(req, r.why === 'unavailable' ? 'Accounts are unavailable; try later' : undefined);
}

/** Send `text` base64-encoded in 400-byte AUTHENTICATE lines (`+` after a full last one). */
function challenge(req: Request, text: string): void {
  const b64 = Buffer.from(text).toString('base64');
  for (let k = 0; k < b64.length; k += CHUNK) {
    req.line(null, 'AUTHENTICATE', [b64.slice(k, k + CHUNK)]);
  }
  if (b64.length % CHUNK === 0) req.line(null, 'AUTHENTICATE', ['+']);
}

// AUTHENTICATE <mechanism> | <base64 chunk> | + | *
function authenticate(req: Request): void {
  const client = req.client;
  if (req.server.store === null) {
    return req.numeric(ERR.UNKNOWNCOMMAND, 'AUTHENTICATE', 'Unknown command');
  }
  const arg = req.params[0];
  if (arg === '*') {
    client.sasl = null;
    return req.numeric(ERR.SASLABORTED, 'SASL authentication aborted');
  }
  if (accountOf(client) !== null) {
    return req.numeric(ERR.SASLALREADY, 'You have already authenticated using SASL');
  }
  const session = client.sasl;
  if (session === null) {
    const mechanism = SASL_MECHANISMS.find((m) => m === arg.toUpperCase());
    if (mechanism === undefined) {
      req.numeric(RPL.SASLMECHS, SASL_MECHANISMS.join(','), 'are available SASL mechanisms');
      return fail(req);
    }
    client.sasl = { mechanism, gathered: '', scram: null, verified: null };
    req.line(null, 'AUTHENTICATE', ['+']);
    return;
  }
  if (arg.length > CHUNK) {
    client.sasl = null;
    return req.numeric(ERR.SASLTOOLONG, 'SASL message too long');
  }
  if (arg !== '+') session.gathered += arg;
  if (session.gathered.length > MAX_MESSAGE) {
    // 905 is for one chunk past 400 bytes; a message of too many chunks fails as a whole.
    return fail(req, 'SASL authentication failed: message too long');
  }
  if (arg.length === CHUNK) return; // more follows
  const b64 = session.gathered;
  session.gathered = '';
  if (!BASE64.test(b64)) return fail(req, 'SASL authentication failed: invalid base64');
  const data = Buffer.from(b64, 'base64');
  if (session.mechanism === 'PLAIN') return plain(req, data);
  scram(req, session, data.toString('utf8'));
}

/** RFC 4616: authzid NUL authcid NUL password; authzid empty or the same account. */
function plain(req: Request, data: Buffer): void {
  const parts = data.toString('utf8').split('\0');
  if (parts.length !== 3) return fail(req);
  const [authzid, authcid, password] = parts;
  if (authcid === '' || password === '') return fail(req);
  if (authzid !== '' && fold(authzid) !== fold(authcid)) return fail(req);
  checkLogin(req, authcid, password, (r) => answer(req, r));
}

/** The `k=value` attributes of a SCRAM message, in order. */
function attributes(text: string): Array<[string, string]> | null {
  const out: Array<[string, string]> = [];
  for (const part of text.split(',')) {
    if (part.length < 2 || part[1] !== '=') return null;
    out.push([part[0], part.slice(2)]);
  }
  return out;
}

/** RFC 5802 §5.1: `=2C` is a comma, `=3D` an equals sign; any other `=` is malformed. */
function saslname(text: string): string | null {
  if (/=(?!2C|3D)/.test(text)) return null;
  return text.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** RFC 5802/7677 SCRAM-SHA-256, one message at a time. */
function scram(req: Request, session: SaslSession, text: string): void {
  if (session.verified !== null) {
    return text === '' ? succeed(req, session.verified) : fail(req);
  }
  if (session.scram === null) return scramFirst(req, session, text);
  const st = session.scram;
  // client-final-message: c=<gs2 header>,r=<nonce>[,extensions],p=<proof>
  const at = text.lastIndexOf(',p=');
  const attrs = attributes(text);
  if (at < 0 || attrs === null) return fail(req);
  const c = attrs.find(([k]) => k === 'c')?.[1];
  const r = attrs.find(([k]) => k === 'r')?.[1];
  if (c !== Buffer.from(st.gs2).toString('base64') || r !== st.nonce) return fail(req);
  const proofText = text.slice(at + 3);
  if (!BASE64.test(proofText)) return fail(req);
  const authMessage = `${st.clientFirstBare},${st.serverFirst},${text.slice(0, at)}`;
  const signature = scramVerify(st.creds, authMessage, Buffer.from(proofText, 'base64'));
  const { server, client } = req;
  if (signature === null) {
    server.loginFailures.spend('a:' + fold(st.account), req.now);
    server.loginFailures.spend('i:' + client.conn.ip, req.now);
    return fail(req);
  }
  session.verified = st.account;
  challenge(req, 'v=' + signature.toString('base64'));
}

/** client-first-message: gs2 header (`n,,` or `y,,`, `a=` only naming the same user), then n= and r=. */
function scramFirst(req: Request, session: SaslSession, text: string): void {
  const m = /^([ny]),(a=[^,]*)?,(.*)$/.exec(text);
  if (m === null) return fail(req); // `p=`: channel binding is not offered
  const bare = m[3];
  const attrs = attributes(bare);
  if (attrs === null || attrs.length < 2 || attrs[0][0] !== 'n' || attrs[1][0] !== 'r') {
    return fail(req); // a leading m= is a mandatory extension parley does not know
  }
  const user = saslname(attrs[0][1]);
  const authzid = m[2] === undefined ? '' : saslname(m[2].slice(2));
  const cnonce = attrs[1][1];
  if (user === null || user === '' || authzid === null || cnonce === '') return fail(req);
  if (authzid !== '' && fold(authzid) !== fold(user)) return fail(req);
  const { server, client } = req;
  const now = req.now;
  const waitMs = Math.max(
    server.loginFailures.waitMs('a:' + fold(user), now),
    server.loginFailures.waitMs('i:' + client.conn.ip, now),
  );
  if (waitMs > 0) return answer(req, { ok: false, why: 'throttled', waitMs });
  req.waitFor(
    server.store!.accounts.get(fold(user)),
    (rec) => {
      if (rec === null || rec.scram === null) {
        server.loginFailures.spend('i:' + client.conn.ip, req.now);
        return fail(req);
      }
      const nonce = cnonce + randomBytes(18).toString('base64');
      const creds = rec.scram;
      const serverFirst = `r=${nonce},s=${creds.salt},i=${creds.iterations}`;
      session.scram = {
        account: rec.name,
        creds,
        gs2: text.slice(0, text.length - bare.length),
        clientFirstBare: bare,
        serverFirst,
        nonce,
      };
      challenge(req, serverFirst);
    },
    () => fail(req, 'Accounts are unavailable; try later'),
  );
}

export const saslCommands: CommandSpec[] = [
  {
    name: 'AUTHENTICATE',
    syntax: 'AUTHENTICATE <mechanism>|<base64>|+|*',
    help: 'Log into an account with SASL (PLAIN or SCRAM-SHA-256), before or after registering.',
    minParams: 1,
    preRegistration: true,
    handler: authenticate,
  },
];
