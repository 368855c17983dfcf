// Logging in with SASL during registration (IRCv3 sasl-3.1/3.2): choosing the mechanism, the AUTHENTICATE exchange (PLAIN or SCRAM-SHA-256), and numerics 900-908 turned into one outcome.
//
//   CAP ACK :sasl ──> AUTHENTICATE <mech> ──> "+" ──> our first message ──> (SCRAM: challenge,
//   our proof, the server's signature, "+") ──> 900 logged in, 903 success ─┐
//                                        904/905/906/902, 908 (mechanisms) ─┴─> outcome, CAP END
import { ScramClient, ScramError } from './scram.js';

/** The SASL numerics (IRCv3 sasl-3.1), kept here: only the login needs them. */
export const SASL = {
  LOGGEDIN: '900',
  LOGGEDOUT: '901',
  NICKLOCKED: '902',
  SUCCESS: '903',
  FAIL: '904',
  TOOLONG: '905',
  ABORTED: '906',
  ALREADY: '907',
  MECHS: '908',
} as const;

export type Mechanism = 'SCRAM-SHA-256' | 'PLAIN';

/** AUTHENTICATE payloads travel in base64 pieces of this many characters (sasl-3.1). */
const CHUNK = 400;

export interface Account {
  name: string;
  password: string;
}

export type LoginOutcome =
  { ok: true; account: string; text: string } | { ok: false; code: string; text: string };

export interface SaslHost {
  write(line: string): void;
  /** The exchange is over, either way; registration goes on (CAP END). */
  done(outcome: LoginOutcome): void;
}

/**
 * The mechanism for a `sasl` CAP value (`PLAIN,SCRAM-SHA-256`): SCRAM-SHA-256 when offered, else
 * PLAIN; PLAIN too when the server lists nothing (sasl-3.1). Null when it offers neither.
 */
export function chooseMechanism(value: string | null | undefined): Mechanism | null {
  if (value === undefined || value === null || value === '') return 'PLAIN';
  const offered = value.toUpperCase().split(',');
  if (offered.includes('SCRAM-SHA-256')) return 'SCRAM-SHA-256';
  return offered.includes('PLAIN') ? 'PLAIN' : null;
}

/** The AUTHENTICATE lines that carry `payload` (base64 pieces; `+` for empty or a final full piece). */
export function authenticateLines(payload: string): string[] {
  const b64 = Buffer.from(payload, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < b64.length; at += CHUNK)
    lines.push(`AUTHENTICATE ${b64.slice(at, at + CHUNK)}`);
  if (b64.length % CHUNK === 0) lines.push('AUTHENTICATE +');
  return lines;
}

export class SaslLogin {
  private mechanism: Mechanism;
  private scram: ScramClient | null = null;
  /** Base64 pieces of a challenge longer than one line. */
  private incoming = '';
  /** SCRAM messages answered so far (0: none; 1: first sent; 2: proof sent; 3: server verified). */
  private step = 0;
  private tried = new Set<Mechanism>();
  private finished = false;

  constructor(
    private readonly host: SaslHost,
    private readonly account: Account,
    mechanism: Mechanism,
    /** The SCRAM client nonce, fixed only by tests. */
    private readonly nonce?: string,
  ) {
    this.mechanism = mechanism;
  }

  start(): void {
    this.tried.add(this.mechanism);
    this.step = 0;
    this.incoming = '';
    this.scram = null;
    this.host.write(`AUTHENTICATE ${this.mechanism}`);
  }

  /** AUTHENTICATE and the SASL numerics; true when handled. */
  handle(command: string, params: readonly string[]): boolean {
    if (command === 'AUTHENTICATE') {
      if (!this.finished) this.challenge(params[0] ?? '+');
      return true;
    }
    const text = params[params.length - 1] ?? '';
    const who = this.account.name;
    switch (command) {
      case SASL.LOGGEDIN: // <nick> <nick!ident@host> <account> :You are now logged in as <user>
        return true;
      case SASL.SUCCESS:
      case SASL.ALREADY: {
        const account = params.length >= 4 ? params[2] : who;
        this.finish({ ok: true, account, text: `logged in as ${account}` });
        return true;
      }
      case SASL.MECHS: {
        // <nick> <mechanisms> :are available SASL mechanisms — a 904 follows: retry then.
        const next = chooseMechanism(params[1] ?? '');
        if (next !== null && !this.tried.has(next)) this.mechanism = next;
        return true;
      }
      case SASL.FAIL:
        if (!this.tried.has(this.mechanism) && !this.finished) {
          this.start(); // 908 named a mechanism we have not tried yet
          return true;
        }
        this.finish(failure(command, `wrong account name or password for ${who}`, text));
        return true;
      case SASL.TOOLONG:
        this.finish(failure(command, 'the login message was too long for the server', text));
        return true;
      case SASL.ABORTED:
        this.finish(failure(command, 'aborted', text));
        return true;
      case SASL.NICKLOCKED:
        this.finish(failure(command, `the nick is locked to another account than ${who}`, text));
        return true;
      case SASL.LOGGEDOUT:
        return true;
      default:
        return false;
    }
  }

  private challenge(piece: string): void {
    if (piece !== '+') this.incoming += piece;
    if (piece !== '+' && piece.length === CHUNK) return; // more pieces follow
    const data = Buffer.from(this.incoming, 'base64').toString('utf8');
    this.incoming = '';
    const { name, password } = this.account;
    if (this.mechanism === 'PLAIN') {
      // authzid NUL authcid NUL password, the authzid left empty: log in as authcid.
      return this.send(`\0${name}\0${password}`);
    }
    try {
      if (this.step === 0) {
        this.scram = new ScramClient(name, password, this.nonce);
        this.step = 1;
        return this.send(this.scram.first());
      }
      if (this.step === 1 && this.scram !== null) {
        const reply = this.scram.final(data);
        this.step = 2;
        return this.send(reply);
      }
      if (this.step === 2 && this.scram !== null) {
        const error = ScramClient.error(data);
        if (error !== null) throw new ScramError(`the server says ${error}`);
        if (!this.scram.verify(data)) {
          throw new ScramError('the server could not prove it knows your password');
        }
        this.step = 3;
        return this.host.write('AUTHENTICATE +');
      }
      throw new ScramError('the server sent more than SCRAM needs');
    } catch (err) {
      if (!(err instanceof ScramError)) throw err;
      this.host.write('AUTHENTICATE *'); // abort; the server answers 906, which we then ignore
      this.finish(failure('SCRAM', err.message, ''));
    }
  }

  private send(payload: string): void {
    for (const line of authenticateLines(payload)) this.host.write(line);
  }

  private finish(outcome: LoginOutcome): void {
    if (this.finished) return;
    this.finished = true;
    this.host.done(outcome);
  }
}

function failure(code: string, why: string, serverText: string): LoginOutcome {
  const said = serverText !== '' && !/^SASL authentication failed$/i.test(serverText);
  return {
    ok: false,
    code,
    text: `login failed: ${why}${said ? ` — ${serverText}` : ''} (${code})`,
  };
}
