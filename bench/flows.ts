// The scenarios as the load generator runs them: set-up (register, join), the measured window, the result.
import { commandOf, Pool, receiveTime, sleep, waitFor, type Conn } from './loadgen.js';
import { floodFlow } from './flood.js';
import { lobbyFlow } from './lobby.js';
import { Meter, statusKiB } from './proc.js';
import { emptyResult, isBlast, type RunResult, type Scenario } from './scenarios.js';
import { Codec, Tracker, type Decoded } from './tracker.js';

export interface GenEnv {
  host: string;
  port: number;
  /** The server's PID, for /proc. */
  serverPid: number;
  /** Registrations in flight at once (connect → 001). */
  regWindow: number;
  /** JOINs in flight at once. */
  joinWindow: number;
  /** Give up when nothing progresses for this long (ms). */
  stallMs: number;
  /**
   * lobby: how arrivals meet the channel. 'auto': the server joins them itself (parley's default
   * channel); 'join': each sends JOIN after 001 (servers without auto-join); 'none': no channel.
   */
  lobby?: 'auto' | 'join' | 'none';
  /** Servers of one cluster: connections are spread over these ports in turn (bench/cluster.ts). */
  ports?: number[];
}

const CHANNEL = '#bench';

export async function runScenario(sc: Scenario, env: GenEnv): Promise<RunResult> {
  const pool = new Pool(env.host, env.port, env.ports);
  const r = emptyResult(sc.name);
  try {
    if (sc.kind === 'connect') await connectFlow(sc, env, pool, r);
    else if (sc.kind === 'idle') await idleFlow(sc, env, pool, r);
    else if (sc.kind === 'lobby') await lobbyFlow(sc, env, pool, r);
    else if (sc.kind === 'flood') await floodFlow(sc, env, pool, r);
    else await messageFlow(sc, env, pool, r);
  } finally {
    r.registered = pool.stats.registered;
    r.serverPeakRssKiB = statusKiB(env.serverPid, 'VmHWM');
    if (pool.stats.failed > 0)
      r.notes.push(
        `${pool.stats.failed} connections failed to register${sc.kind === 'lobby' ? ' or join' : ''}`,
      );
    // the flood scenario reports its disconnections itself: one of them is what it looks for
    if (pool.stats.dropped > 0 && sc.kind !== 'flood')
      r.notes.push(`${pool.stats.dropped} connections dropped`);
    for (const [what, n] of Object.entries(pool.stats.errors)) r.notes.push(`${n}× ${what}`);
    pool.closeAll();
  }
  return r;
}

async function register(sc: Scenario, env: GenEnv, pool: Pool, r: RunResult): Promise<boolean> {
  await pool.open(sc.clients, env.regWindow, 'u', env.stallMs);
  if (pool.stats.registered === sc.clients) return true;
  r.notes.push(`only ${pool.stats.registered}/${sc.clients} registered`);
  return false;
}

async function connectFlow(sc: Scenario, env: GenEnv, pool: Pool, r: RunResult): Promise<void> {
  const meter = new Meter(env.serverPid);
  const ok = await register(sc, env, pool, r);
  const cpuS = meter.finish(r);
  r.seconds = (pool.lastRegisteredAt - meter.t0) / 1000;
  r.connectsPerS = pool.stats.registered / r.seconds;
  r.cpuMsPerConn = (cpuS * 1000) / pool.stats.registered;
  r.p50Ms = pool.connectLatency.quantileMs(0.5);
  r.p99Ms = pool.connectLatency.quantileMs(0.99);
  r.maxMs = pool.connectLatency.maxUs / 1000;
  r.ok = ok && pool.stats.dropped === 0;
}

async function idleFlow(sc: Scenario, env: GenEnv, pool: Pool, r: RunResult): Promise<void> {
  const before = statusKiB(env.serverPid, 'VmRSS');
  const meter = new Meter(env.serverPid);
  const ok = await register(sc, env, pool, r);
  const cpuS = meter.finish(r);
  r.seconds = (pool.lastRegisteredAt - meter.t0) / 1000;
  r.connectsPerS = pool.stats.registered / r.seconds;
  r.cpuMsPerConn = (cpuS * 1000) / pool.stats.registered;
  await sleep(1000); // let the server settle (and a garbage-collected server collect)
  const after = statusKiB(env.serverPid, 'VmRSS');
  r.rssPerConnKiB = (after - before) / Math.max(1, pool.stats.registered);
  r.notes.push(`server RSS ${Math.round(before / 1024)} → ${Math.round(after / 1024)} MiB`);
  // Every connection must still be there: each answers a PING.
  const answered = new Uint8Array(pool.conns.length);
  let pongs = 0;
  pool.handler = (conn, buf, start, end) => {
    const cmd = commandOf(buf, start, end);
    if (cmd === 'PONG' && !answered[conn.index]) {
      answered[conn.index] = 1;
      pongs++;
    } else if (cmd === 'PING') Pool.pong(conn, buf, start, end);
  };
  const alive = pool.conns.filter((c) => c.registered && !c.closed);
  for (const c of alive) c.send('PING :bench\r\n');
  await waitFor(
    () => pongs === alive.length,
    () => pongs,
    env.stallMs,
    20,
  );
  r.held = pongs;
  r.ok = ok && pongs === sc.clients;
}

/**
 * Register, join (fanout), then send and track every message: throughput or fixed-rate latency.
 * An unmeasured warm-up pass of a tenth of the messages goes first, so a JIT-compiled server is
 * measured warm, as it would be after minutes of real use; every server gets the same warm-up.
 */
async function messageFlow(sc: Scenario, env: GenEnv, pool: Pool, r: RunResult): Promise<void> {
  if (!(await register(sc, env, pool, r))) return;
  if (sc.kind === 'fanout' && !(await joinAll(pool, env, r))) return;
  const warm = emptyResult(sc.name);
  await sendPass(sc, env, pool, Math.ceil(sc.messages / 10), warm);
  if (!warm.ok) {
    r.notes.push('warm-up failed', ...warm.notes);
    return;
  }
  await sendPass(sc, env, pool, sc.messages, r);
}

/** One pass: every sender sends M messages; wait until all arrived or progress stalls. */
async function sendPass(sc: Scenario, env: GenEnv, pool: Pool, M: number, r: RunResult) {
  const broadcast = sc.kind === 'fanout';
  const C = sc.clients;
  const S = Math.min(sc.senders, C);
  const tracker = new Tracker(C, S, M, broadcast);
  const codec = new Codec(sc.pad);
  const perMessage = broadcast ? C - 1 : 1;
  r.expected = S * M * perMessage;
  const unexpected = new Map<string, number>();
  const d: Decoded = { sid: 0, seq: 0, sentUs: 0 };
  const sent = new Float64Array(S);
  const rng = xorshift(0x9e3779b9);
  const targetOf = (s: number) => {
    const t = rng() % (C - 1);
    return t >= s ? t + 1 : t;
  };
  const line = (s: number): string =>
    broadcast
      ? `PRIVMSG ${CHANNEL} :${codec.text(s, sent[s]++)}\r\n`
      : `PRIVMSG ${pool.conns[targetOf(s)].nick} :${codec.text(s, sent[s]++)}\r\n`;

  // As fast as possible: each sender keeps at most `window` messages not yet delivered everywhere
  // (a closed loop, like a client that waits for its messages to arrive), topping up once `batch`
  // of them are free, so its lines go out `batch` to a write. A blast has no window: each sender
  // writes all M lines at once, and Node queues in the generator whatever the kernel does not take
  // yet (nothing is lost, and reading goes on meanwhile).
  const blast = isBlast(sc);
  let pumpQueued = false;
  const pump = () => {
    pumpQueued = false;
    if (blast) {
      for (let s = 0; s < S; s++) {
        let all = '';
        for (let k = 0; k < M; k++) all += line(s);
        pool.conns[s].send(all);
      }
      return;
    }
    for (let s = 0; s < S; s++) {
      const free = Math.floor(sc.window - sent[s] + tracker.deliveredBy[s] / perMessage);
      const room = Math.min(M - sent[s], free);
      if (room <= 0 || (free < sc.batch && room < M - sent[s])) continue;
      let batch = '';
      for (let k = 0; k < room; k++) batch += line(s);
      pool.conns[s].send(batch);
    }
  };
  const paced = sc.rate > 0;
  pool.handler = (conn: Conn, buf: Buffer, start: number, end: number) => {
    if (codec.decode(buf, start, end, d)) {
      tracker.deliver(conn.index, d, receiveTime());
      if (!paced && !blast && !pumpQueued) {
        pumpQueued = true;
        setImmediate(pump);
      }
      return;
    }
    const cmd = commandOf(buf, start, end);
    if (cmd === 'PING') Pool.pong(conn, buf, start, end);
    else unexpected.set(cmd, (unexpected.get(cmd) ?? 0) + 1);
  };

  const meter = new Meter(env.serverPid);
  if (paced) schedule(S, M, sc.rate, (s) => pool.conns[s].send(line(s)));
  else pump();
  const complete = await waitFor(
    () => tracker.delivered + tracker.duplicated >= r.expected,
    () => tracker.delivered + tracker.duplicated,
    env.stallMs,
    2,
  );
  meter.finish(r);
  if (!complete) r.notes.push(`stalled for ${env.stallMs} ms before every message arrived`);
  for (const [cmd, n] of unexpected) r.notes.push(`${n}× unexpected ${cmd || 'line'}`);
  r.delivered = tracker.delivered;
  r.duplicated = tracker.duplicated;
  r.reordered = tracker.reordered;
  r.lost = r.expected - tracker.delivered;
  if (tracker.malformed > 0) r.notes.push(`${tracker.malformed} malformed payloads`);
  r.seconds = (tracker.lastDeliveryAt - meter.t0) / 1000;
  r.deliveriesPerS = tracker.delivered / r.seconds;
  r.p50Ms = tracker.latency.quantileMs(0.5);
  r.p99Ms = tracker.latency.quantileMs(0.99);
  r.maxMs = tracker.latency.maxUs / 1000;
  r.ok =
    r.lost === 0 &&
    r.duplicated === 0 &&
    r.reordered === 0 &&
    tracker.malformed === 0 &&
    pool.stats.dropped === 0;
}

/**
 * Every client JOINs the channel (at most joinWindow in flight); done when each has its end of
 * NAMES and every JOIN has reached every member (1 + 2 + … + C JOIN lines in all).
 */
async function joinAll(pool: Pool, env: GenEnv, r: RunResult): Promise<boolean> {
  const C = pool.conns.length;
  const wantJoins = (C * (C + 1)) / 2;
  let joinLines = 0;
  let joined = 0;
  let next = 0;
  const pump = () => {
    while (next < C && next - joined < env.joinWindow)
      pool.conns[next++].send(`JOIN ${CHANNEL}\r\n`);
  };
  pool.handler = (conn, buf, start, end) => {
    const cmd = commandOf(buf, start, end);
    if (cmd === 'JOIN') {
      if (buf.toString('latin1', end - CHANNEL.length, end) === CHANNEL) joinLines++;
    } else if (cmd === '366') {
      joined++;
      pump();
    } else if (cmd === 'PING') Pool.pong(conn, buf, start, end);
    else if (cmd.length === 3 && cmd >= '400' && cmd < '600') r.notes.push(`JOIN error ${cmd}`);
  };
  pump();
  const ok = await waitFor(
    () => joined === C && joinLines === wantJoins,
    () => joined + joinLines,
    env.stallMs,
  );
  if (!ok)
    r.notes.push(`joins stalled: ${joined}/${C} joined, ${joinLines}/${wantJoins} JOIN lines`);
  return ok;
}

/**
 * Fixed rate: message g (of S × M) is sender g % S's number ⌊g / S⌋, due g / (S × rate) seconds
 * after the start, so the senders are evenly staggered. Late timers catch up at once.
 */
function schedule(S: number, M: number, rate: number, send: (s: number) => void): void {
  const step = 1000 / (rate * S);
  const start = performance.now();
  const total = S * M;
  let g = 0;
  const tick = () => {
    const now = performance.now();
    while (g < total && start + g * step <= now) send(g++ % S);
    if (g < total) setTimeout(tick, Math.max(0, start + g * step - performance.now()));
  };
  tick();
}

/** A deterministic 32-bit PRNG, so every server gets the same random targets. */
export function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}
