// The model behind the registration fuzzer: its random actions, what the server should believe after each, and which replies (90x above all) the specs allow.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LOGIN_FAILURES_BURST } from '../../src/server/accounts.js';
import { offeredCaps } from '../../src/server/capabilities.js';
import type { WireLine } from './wire.js';

export const SERVER_PASSWORD = 'open-sesame';
/** Accounts and passwords: a PLAIN payload for longpw is exactly 400 base64 bytes, for lp 408. */
export const ACCOUNTS: Record<string, string> = {
  Acct: 'correct horse',
  longpw: 'p'.repeat(292),
  lp: 'q'.repeat(300),
};
export const KNOWN_CAPS = new Set<string>(offeredCaps(true, true).map((c) => c.name));
export const b64 = (s: string) => Buffer.from(s).toString('base64');
/** The account `name` logs into (names compare without case), or undefined. */
export const accountNamed = (name: string) =>
  Object.keys(ACCOUNTS).find((a) => a.toLowerCase() === name.toLowerCase());
export const rightPassword = (name: string, password: string) => {
  const a = accountNamed(name);
  return a !== undefined && ACCOUNTS[a] === password;
};

export type Action =
  | { t: 'capls'; version: string }
  | { t: 'capreq'; text: string | null }
  | { t: 'capend' }
  | { t: 'caplist' }
  | { t: 'capjunk'; line: string }
  | { t: 'auth'; arg: string }
  | { t: 'plain'; authz: string; authc: string; password: string }
  /** Wrong PLAIN passwords in a row, to reach the login throttle. */
  | { t: 'guess'; times: number }
  | { t: 'scram'; user: string; password: string; gs2: string }
  | { t: 'nick'; which: 'a' | 'b' | 'bad' | 'none' | 'services' }
  | { t: 'user'; line: string; ok: boolean }
  | { t: 'pass'; text: string };

const anyAccount = fc.constantFrom('Acct', 'acct', 'ACCT', 'longpw', 'lp', 'nobody', '');
const anyPassword = fc.oneof(
  fc.constantFrom(...Object.values(ACCOUNTS), 'wrong password', '', 'x'),
  fc.string({ maxLength: 20 }).map((s) => s.replace(/[\0\r\n]/g, '')),
);
const b64Text = fc
  .string({ unit: fc.constantFrom(...'ABCDEFabcdef0123456789+/'), maxLength: 40 })
  .map((s) => s + '='.repeat((4 - (s.length % 4)) % 4));

/** One action; registration's own steps and whole logins come more often than the rest. */
export const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('capls' as const),
      version: fc.constantFrom('', '302', '301', 'x'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('capreq' as const),
      text: fc.option(
        fc
          .array(fc.constantFrom('sasl', 'message-tags', '-sasl', 'batch', 'bogus', '-batch', ''), {
            maxLength: 3,
          })
          .map((w) => w.join(' ')),
      ),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ t: 'capend' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'caplist' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('capjunk' as const),
      line: fc.constantFrom('CAP FOO', 'CAP', 'cap'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('auth' as const),
      arg: fc.oneof(
        fc.constantFrom('PLAIN', 'SCRAM-SHA-256', 'scram-sha-256', 'EXTERNAL', 'plain?', '*', '+'),
        fc.constantFrom(b64('\0Acct\0correct horse'), b64('Acct\0Acct\0wrong'), 'A'.repeat(400)),
        fc.constantFrom('B'.repeat(401), '!!!!', 'QQ=', ':'),
        b64Text,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('guess' as const),
      times: fc.integer({ min: 1, max: 6 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('plain' as const),
      authz: fc.constantFrom('', '', 'acct', 'lp'),
      authc: anyAccount,
      password: anyPassword,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('scram' as const),
      user: anyAccount,
      password: anyPassword,
      gs2: fc.constantFrom('n,,', 'y,,', 'n,a=Acct,', 'n,a=lp,', 'p=tls-unique,,'),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('nick' as const),
      which: fc.constantFrom(
        'a' as const,
        'b' as const,
        'bad' as const,
        'none' as const,
        'services' as const,
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      { t: 'user' as const, line: 'USER u 0 * :Real Name', ok: true },
      { t: 'user' as const, line: 'USER u 0 *', ok: false },
      { t: 'user' as const, line: 'USER u 0 * :', ok: false },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('pass' as const),
      text: fc.constantFrom(
        SERVER_PASSWORD,
        'not-it',
        'Acct:correct horse',
        'acct:wrong',
        'nobody:x',
        `lp:${ACCOUNTS.lp}`,
      ),
    }),
  },
);

/** What the server should believe about the fuzzing connection, kept step by step. */
export interface Model {
  registered: boolean;
  /** CAP LS or REQ before registration, no CAP END yet: registration waits. */
  capNeg: boolean;
  capVersion: number;
  caps: Set<string>;
  nick: string | null;
  user: boolean;
  /** The last PASS before registration was the server password. */
  passOk: boolean;
  /** PASS [account:]password on a server without a password: a login at registration. */
  passLogin: { account: string | null; password: string } | null;
  loggedIn: string | null;
  /** Failed logins seen (904s and PASS notices): the throttle may only answer after 5. */
  failures: number;
}

/** What one step may get: which SASL numerics, and the account a login in it may reach. */
export interface Allowed {
  sasl: boolean;
  abort: boolean;
  tooLong: boolean;
  /** The account these credentials are right for (and were sent for), or null. */
  loginAs: string | null;
}

export const NOT_SASL: Allowed = { sasl: false, abort: false, tooLong: false, loginAs: null };
export const THROTTLED = /too many failed logins/i;

/** What the runs reached, so a run that never logs in or registers says so. */
export const tally = { saslLogins: 0, passLogins: 0, throttled: 0, registered: 0, refused: 0 };

/** The 90x numerics of `got` are the ones the specs allow for this step; the model follows logins. */
export function check90x(m: Model, got: WireLine[], allowed: Allowed, what: string): void {
  const before = m.loggedIn;
  const seen: string[] = [];
  for (const { msg, raw } of got) {
    const code = msg.command;
    if (THROTTLED.test(raw)) {
      assert.ok(m.failures >= LOGIN_FAILURES_BURST, `${what}: throttled after ${m.failures}`);
      tally.throttled++;
    }
    if (code === '904' || (code === 'NOTICE' && raw.includes('PASS did not log you into'))) {
      m.failures++;
    }
    if (!/^9\d\d$/.test(code)) continue;
    seen.push(code);
    const ok =
      (code === '900' && allowed.loginAs !== null && before === null) ||
      (code === '903' && seen.includes('900')) ||
      (code === '904' && allowed.sasl) ||
      (code === '905' && allowed.tooLong) ||
      (code === '906' && allowed.abort) ||
      (code === '907' && allowed.sasl && before !== null) ||
      (code === '908' && allowed.sasl);
    assert.ok(ok, `${what}: ${raw} is not allowed here (logged in: ${before})`);
    if (code === '900') {
      assert.equal(msg.params[2], allowed.loginAs, `${what}: logged into the wrong account`);
      m.loggedIn = allowed.loginAs;
      tally[allowed.sasl ? 'saslLogins' : 'passLogins']++;
    }
  }
  if (seen.includes('908')) assert.ok(seen.includes('904'), `${what}: 908 without 904`);
}

/** A correct login, not refused by the throttle, ended logged in with 900 (and 903 for SASL). */
export function checkLoggedIn(
  m: Model,
  got: WireLine[],
  loginAs: string | null,
  sasl: boolean,
  what: string,
) {
  if (loginAs === null || m.loggedIn === loginAs) {
    if (sasl && loginAs !== null)
      assert.ok(
        got.some((l) => l.msg.command === '903'),
        what,
      );
    return;
  }
  assert.ok(
    got.some((l) => THROTTLED.test(l.raw)),
    `${what}: right credentials for ${loginAs} did not log in: ${got.map((l) => l.raw).join(' | ')}`,
  );
}

export const nickOf = (which: string, run: number) =>
  which === 'bad' ? '1bad' : which === 'services' ? 'NickServ' : `${which}${run}`;

/** The lines of a non-SASL action, and the model changes it makes before registration is tried. */
export function apply(m: Model, a: Action, run: number, withPassword: boolean): string[] {
  switch (a.t) {
    case 'capls': {
      m.capVersion = Math.max(m.capVersion, parseInt(a.version, 10) || 0);
      if (m.capVersion >= 302) m.caps.add('cap-notify');
      if (!m.registered) m.capNeg = true;
      return [a.version === '' ? 'CAP LS' : `CAP LS ${a.version}`];
    }
    case 'capreq':
      if (!m.registered) m.capNeg = true; // either answer suspends registration (IRCv3)
      return [a.text === null ? 'CAP REQ' : `CAP REQ :${a.text}`];
    case 'capend':
      if (!m.registered) m.capNeg = false;
      return ['CAP END'];
    case 'caplist':
      return ['CAP LIST'];
    case 'capjunk':
      return [a.line];
    case 'nick': {
      if (a.which === 'none') return ['NICK'];
      const nick = nickOf(a.which, run);
      if (a.which !== 'bad' && a.which !== 'services') m.nick = nick;
      return [`NICK ${nick}`];
    }
    case 'user':
      if (a.ok && !m.registered) m.user = true;
      return [a.line];
    case 'pass':
      if (!m.registered && withPassword) m.passOk = a.text === SERVER_PASSWORD;
      if (!m.registered && !withPassword) {
        const colon = a.text.indexOf(':');
        m.passLogin =
          colon > 0
            ? { account: a.text.slice(0, colon), password: a.text.slice(colon + 1) }
            : { account: null, password: a.text };
      }
      return [`PASS :${a.text}`];
    default:
      throw new Error(`not a plain action: ${a.t}`);
  }
}
