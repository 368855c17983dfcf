// Fuzzing connection registration over TCP: random CAP, AUTHENTICATE (PLAIN, SCRAM, junk, chunks), NICK, USER and PASS, each step checked against a model of what the specs allow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startServer, TestClient, type TestServer } from '../helpers/irc.js';
import {
  ACCOUNTS,
  KNOWN_CAPS,
  NOT_SASL,
  SERVER_PASSWORD,
  THROTTLED,
  accountNamed,
  action,
  apply,
  b64,
  check90x,
  checkLoggedIn,
  rightPassword,
  tally,
  type Action,
  type Allowed,
  type Model,
} from '../helpers/registration-model.js';
import { scramFinal, scramFirst } from '../helpers/scram.js';
import { WireClient } from '../helpers/wire.js';

/** One action over the wire, checked; false when the link is closed (as it may be). */
async function perform(
  c: WireClient,
  m: Model,
  a: Action,
  run: number,
  withPassword: boolean,
): Promise<boolean> {
  const what = JSON.stringify(a);
  if (a.t === 'auth') {
    const loginAs = a.arg === b64('\0Acct\0correct horse') ? 'Acct' : null;
    const { got } = await c.step([`AUTHENTICATE ${a.arg === '' ? ':' : a.arg}`]);
    check90x(
      m,
      got,
      { sasl: true, abort: a.arg === '*', tooLong: a.arg.length > 400, loginAs },
      what,
    );
    return true;
  }
  if (a.t === 'guess') {
    const lines = Array.from({ length: a.times }, (_, k) => [
      'AUTHENTICATE *',
      'AUTHENTICATE PLAIN',
      `AUTHENTICATE ${b64(`\0Acct\0guess ${k}`)}`,
    ]).flat();
    const { got } = await c.step(lines);
    check90x(m, got, { ...NOT_SASL, sasl: true, abort: true }, what);
    return true;
  }
  if (a.t === 'plain') return plain(c, m, a, what);
  if (a.t === 'scram') return scram(c, m, a, what);
  const lines = apply(m, a, run, withPassword);
  const completes = !m.registered && m.nick !== null && m.user && !m.capNeg;
  const refused = completes && withPassword && !m.passOk;
  const login = completes && !withPassword && m.loggedIn === null ? m.passLogin : null;
  if (completes) m.passLogin = null;
  const loginAs =
    login !== null && rightPassword(login.account ?? m.nick!, login.password)
      ? accountNamed(login.account ?? m.nick!)!
      : null;
  const { got, closed } = await c.step(lines);
  const codes = got.map((l) => l.msg.command);
  check90x(m, got, { ...NOT_SASL, abort: a.t === 'capend', loginAs }, what);
  if (refused) {
    tally.refused++;
    assert.ok(codes.includes('464') && closed, `${what}: a wrong password registered: ${codes}`);
    return false;
  }
  assert.ok(!closed, `${what}: closed`);
  assert.equal(codes.includes('001'), completes, `${what}: 001 ${completes ? 'missing' : 'early'}`);
  if (completes) {
    m.registered = true;
    tally.registered++;
    checkLoggedIn(m, got, loginAs, false, what);
  }
  if (a.t === 'capls') {
    const words = got
      .find((l) => l.msg.command === 'CAP')!
      .msg.params.at(-1)!
      .split(' ');
    if (m.capVersion >= 302) assert.ok(words.includes('sasl=PLAIN,SCRAM-SHA-256'), what);
    else assert.ok(words.includes('sasl') && words.every((w) => !w.includes('=')), what);
  }
  if (a.t === 'capreq') {
    const asked = (a.text ?? '').split(' ').filter((w) => w !== '');
    const known = asked.every((w) => KNOWN_CAPS.has(w.replace(/^-/, '')));
    const reply = got.find((l) => l.msg.command === 'CAP')!.msg.params[1];
    assert.equal(reply, known ? 'ACK' : 'NAK', what);
    if (known)
      for (const w of asked) m.caps[w.startsWith('-') ? 'delete' : 'add'](w.replace(/^-/, ''));
  }
  if (a.t === 'caplist') {
    const listed = got.find((l) => l.msg.command === 'CAP')!.msg.params.at(-1)!;
    const want = [...m.caps].sort().join(' ');
    assert.equal(
      listed
        .split(' ')
        .filter((w) => w !== '')
        .sort()
        .join(' '),
      want,
      what,
    );
  }
  return true;
}

/** AUTHENTICATE * then a whole PLAIN exchange, in 400-byte chunks. */
async function plain(c: WireClient, m: Model, a: Action & { t: 'plain' }, what: string) {
  const payload = b64(`${a.authz}\0${a.authc}\0${a.password}`);
  const chunks: string[] = [...(payload.match(/.{1,400}/g) ?? [])];
  if (payload.length % 400 === 0) chunks.push('+');
  const sameAuthz = a.authz === '' || a.authz.toLowerCase() === a.authc.toLowerCase();
  const loginAs =
    sameAuthz && a.authc !== '' && rightPassword(a.authc, a.password)
      ? accountNamed(a.authc)!
      : null;
  const lines = ['AUTHENTICATE *', 'AUTHENTICATE PLAIN', ...chunks.map((k) => `AUTHENTICATE ${k}`)];
  const { got } = await c.step(lines);
  const before = m.loggedIn;
  check90x(m, got, { sasl: true, abort: true, tooLong: false, loginAs }, what);
  if (before === null) checkLoggedIn(m, got, loginAs, true, what);
  return true;
}

/** AUTHENTICATE * then SCRAM-SHA-256 as a client computes it: first message, proof, `+`. */
async function scram(c: WireClient, m: Model, a: Action & { t: 'scram' }, what: string) {
  const first = scramFirst(a.user, a.gs2);
  const authz = /^[ny],a=([^,]*),$/.exec(a.gs2)?.[1];
  const headerOk =
    /^[ny],/.test(a.gs2) && (authz === undefined || authz.toLowerCase() === a.user.toLowerCase());
  const known = a.user !== '' && headerOk && accountNamed(a.user) !== undefined;
  const loginAs = known && rightPassword(a.user, a.password) ? accountNamed(a.user)! : null;
  const sasl: Allowed = { sasl: true, abort: true, tooLong: false, loginAs: null };
  const one = await c.step([
    'AUTHENTICATE *',
    'AUTHENTICATE SCRAM-SHA-256',
    `AUTHENTICATE ${b64(first.text)}`,
  ]);
  const before = m.loggedIn;
  check90x(m, one.got, sasl, what);
  const challenge = one.got.filter((l) => l.msg.command === 'AUTHENTICATE').at(-1)?.msg.params[0];
  if (before !== null) return true;
  if (challenge === undefined || challenge === '+') {
    assert.ok(!known || one.got.some((l) => THROTTLED.test(l.raw)), `${what}: no server-first`);
    return true;
  }
  const serverFirst = Buffer.from(challenge, 'base64').toString();
  const final = scramFinal(first.start, serverFirst, a.password);
  assert.ok(known && final !== null, `${what}: a server-first for nobody: ${serverFirst}`);
  const two = await c.step([`AUTHENTICATE ${b64(final.text)}`]);
  check90x(m, two.got, { ...sasl, abort: false }, what);
  const v = two.got.find((l) => l.msg.command === 'AUTHENTICATE')?.msg.params[0];
  if (loginAs === null) {
    assert.equal(v, undefined, `${what}: a wrong proof was verified`);
    return true;
  }
  assert.equal(Buffer.from(v ?? '', 'base64').toString(), `v=${final.serverSignature}`, what);
  const three = await c.step(['AUTHENTICATE +']);
  check90x(m, three.got, { ...sasl, abort: false, loginAs }, what);
  checkLoggedIn(m, three.got, loginAs, true, what);
  return true;
}

/** Runs that always come first: each kind of login, a refused password, the throttle. */
const EXAMPLES: Array<[boolean, Action[]]> = [
  [
    false,
    [
      { t: 'capls', version: '302' },
      { t: 'capreq', text: 'sasl' },
      { t: 'nick', which: 'a' },
      { t: 'user', line: 'USER u 0 * :R', ok: true },
      { t: 'plain', authz: '', authc: 'acct', password: ACCOUNTS.Acct },
      { t: 'capend' },
    ],
  ],
  [
    true,
    [
      { t: 'scram', user: 'lp', password: ACCOUNTS.lp, gs2: 'n,,' },
      { t: 'nick', which: 'b' },
      { t: 'user', line: 'USER u 0 * :R', ok: true },
    ],
  ],
  [
    false,
    [
      { t: 'pass', text: 'Acct:correct horse' },
      { t: 'nick', which: 'a' },
      { t: 'user', line: 'USER u 0 * :R', ok: true },
    ],
  ],
  [
    false,
    [
      { t: 'guess', times: 6 },
      { t: 'plain', authz: '', authc: 'longpw', password: ACCOUNTS.longpw },
    ],
  ],
];

/** Register an account over a throwaway connection (PASS first when the server wants one). */
async function makeAccount(
  port: number,
  name: string,
  password: string,
  serverPassword: string | null,
) {
  const c = await TestClient.connect(port);
  if (serverPassword !== null) c.send(`PASS ${serverPassword}`);
  await c.registerAs(name, false);
  c.send(`REGISTER * * :${password}`);
  await c.expectCommand('REGISTER', 'SUCCESS', name);
  await c.quit();
}

test('fuzz: random CAP, SASL, NICK, USER and PASS sequences get only the replies the specs allow', async (t) => {
  const servers = new Map<boolean, TestServer>();
  for (const withPassword of [false, true]) {
    const pw = withPassword ? SERVER_PASSWORD : null;
    const srv = await startServer({ defaultChannel: '', password: pw }, 'text', true);
    servers.set(withPassword, srv);
    for (const [name, password] of Object.entries(ACCOUNTS))
      await makeAccount(srv.port, name, password, pw);
  }
  let run = 0;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(action, { minLength: 1, maxLength: 20 }),
        async (withPassword, actions) => {
          const srv = servers.get(withPassword)!;
          srv.advance(3_600_000); // the login throttle is full again: each run starts afresh
          run++;
          const c = await WireClient.connect(srv.port);
          const m: Model = {
            registered: false,
            capNeg: false,
            capVersion: 0,
            caps: new Set(),
            nick: null,
            user: false,
            passOk: false,
            passLogin: null,
            loggedIn: null,
            failures: 0,
          };
          try {
            let open = true;
            for (const a of actions) if (open) open = await perform(c, m, a, run, withPassword);
            // Afterwards the link still serves: registration completes, WHOIS shows the login.
            if (open && !m.registered) {
              const finish: Action[] = [
                { t: 'nick', which: 'a' },
                { t: 'user', line: 'USER u 0 * :R', ok: true },
                { t: 'capend' },
              ];
              if (withPassword) finish.unshift({ t: 'pass', text: SERVER_PASSWORD });
              for (const a of finish)
                if (open && !m.registered) open = await perform(c, m, a, run, withPassword);
              assert.ok(m.registered, 'registration completes at the end');
            }
            if (open) {
              const { got } = await c.step([`WHOIS ${m.nick}`]);
              const account = got.find((l) => l.msg.command === '330')?.msg.params[2] ?? null;
              assert.equal(account, m.loggedIn, 'WHOIS shows the account logged into');
            }
            assert.deepEqual(c.problems, [], 'every line is well formed');
          } finally {
            await c.close();
          }
        },
      ),
      {
        numRuns: Number(process.env.PARLEY_FUZZ_RUNS ?? 30),
        seed: Number(process.env.PARLEY_FUZZ_SEED ?? 20261215),
        includeErrorInReport: true,
        examples: EXAMPLES,
      },
    );
  } finally {
    for (const srv of servers.values()) await srv.stop();
  }
  t.diagnostic(`reached: ${JSON.stringify(tally)}`);
  const { registered, saslLogins, passLogins, throttled, refused } = tally;
  assert.ok(registered && saslLogins && passLogins && throttled && refused, 'not vacuous');
});
