// Test kit for the client session: an event recorder with waits, counted timers that can be held, and a real server to run sessions against (fake-servers.ts has the scripted ones).
import { ClientSession, type SessionOptions, type TimerApi } from '../../src/client/session.js';
import { startServer, type TestServer } from '../helpers/irc.js';
import type { SessionEvent } from '../../src/client/events.js';

export type EventOf<K extends SessionEvent['type']> = Extract<SessionEvent, { type: K }>;

/** Records every event of a session; waits look forward from a cursor, like TestClient.expect. */
export class Recorder {
  readonly events: SessionEvent[] = [];
  private cursor = 0;
  private waiters: Array<() => void> = [];

  constructor(session: ClientSession) {
    session.onEvent((e) => {
      this.events.push(e);
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
  }

  /** Wait for the next event of `type` (after the last one matched) satisfying `pred`. */
  async next<K extends SessionEvent['type']>(
    type: K,
    pred: (e: EventOf<K>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<EventOf<K>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let k = this.cursor; k < this.events.length; k++) {
        const e = this.events[k];
        if (e.type === type && pred(e as EventOf<K>)) {
          this.cursor = k + 1;
          return e as EventOf<K>;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const recent = this.events
          .slice(-10)
          .map((e) => JSON.stringify(e))
          .join('\n  ');
        throw new Error(`timed out waiting for a '${type}' event; last events:\n  ${recent}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Wait for a 'state' event with this state. */
  state(state: EventOf<'state'>['state'], timeoutMs = 5000): Promise<EventOf<'state'>> {
    return this.next('state', (e) => e.state === state, timeoutMs);
  }

  /** Every recorded event of `type` (from the start). */
  all<K extends SessionEvent['type']>(type: K): EventOf<K>[] {
    return this.events.filter((e): e is EventOf<K> => e.type === type);
  }

  /** Move the cursor to the end: later waits only see new events. */
  skip(): void {
    this.cursor = this.events.length;
  }
}

/** Options for a session on 127.0.0.1:port with short, test-friendly timings. */
export function sessionOptions(
  port: number,
  nick: string,
  extra: Partial<SessionOptions> = {},
): SessionOptions {
  return {
    host: '127.0.0.1',
    port,
    nick,
    realname: `Test ${nick}`,
    reconnect: { initialMs: 50, maxMs: 200 },
    connectTimeoutMs: 3000,
    quitTimeoutMs: 1000,
    ...extra,
  };
}

/** A session made with sessionOptions(), plus its recorder. */
export function newSession(
  port: number,
  nick: string,
  extra: Partial<SessionOptions> = {},
): { session: ClientSession; rec: Recorder } {
  const session = new ClientSession(sessionOptions(port, nick, extra));
  const rec = new Recorder(session);
  return { session, rec };
}

/**
 * Real timers for a session's `timers` option, counted (`live`: set and not yet run), and with a
 * switch: between hold() and release() a timer that comes due waits, so a test can set the
 * stage before the session's next step (a reconnect) happens, whatever the machine's speed.
 */
export class TestTimers implements TimerApi {
  readonly live = new Set<unknown>();
  private held: Array<() => void> | null = null;

  setTimeout(fn: () => void, ms: number): unknown {
    const h = setTimeout(() => {
      const run = () => {
        this.live.delete(h);
        fn();
      };
      if (this.held !== null) this.held.push(run);
      else run();
    }, ms);
    this.live.add(h);
    return h;
  }

  clearTimeout(h: unknown): void {
    this.live.delete(h);
    clearTimeout(h as ReturnType<typeof setTimeout>);
  }

  /** From now on, timers that come due wait for release(). */
  hold(): void {
    this.held ??= [];
  }

  /** Run the timers that came due while held (in order); later ones run when due again. */
  release(): void {
    const due = this.held ?? [];
    this.held = null;
    for (const run of due) run();
  }
}

/** Start `session` and wait until it is connected (end of the welcome burst). */
export async function connected(session: ClientSession, rec: Recorder): Promise<void> {
  session.start();
  await rec.next('registered');
}

/**
 * Stop a test server. A refused connection (server full) that sent data lingers in parley's
 * listener until an unref'd 1 s timer destroys it, and the listener's close waits for it; a ref'd
 * timer keeps the event loop alive meanwhile, or the test would end with stop() still pending.
 */
export async function stopServer(srv: { stop(): Promise<void> }): Promise<void> {
  const keepAlive = setInterval(() => {}, 1000);
  try {
    await srv.stop();
  } finally {
    clearInterval(keepAlive);
  }
}

/** Run `body` with a fresh server; stops the server and closes every session it made. */
export async function withServer(
  body: (srv: TestServer, track: (s: ClientSession) => void) => Promise<void>,
  overrides: Parameters<typeof startServer>[0] = {},
): Promise<void> {
  const srv = await startServer(overrides);
  const sessions: ClientSession[] = [];
  try {
    await body(srv, (s) => sessions.push(s));
  } finally {
    for (const s of sessions) s.close();
    await stopServer(srv);
  }
}
