// The lobby scenario as the load generator runs it: clients arriving into a channel (or none); arrivals/s and server CPU per arrival.
import type { GenEnv } from './flows.js';
import { commandOf, commandStart, Pool, waitFor, type Arrival } from './loadgen.js';
import { Meter } from './proc.js';
import { LOBBY, type RunResult, type Scenario } from './scenarios.js';

const JOIN = Buffer.from('JOIN ');
/** After the last arrival, the server's work counts as done once no line came for this long. */
const SETTLE_MS = 300;

/**
 * Open `sc.clients` connections, `env.regWindow` arrivals in flight. An arrival is done at its 001
 * without a channel, and with one (`env.lobby` 'auto' or 'join') once it also has its own JOIN echo
 * and the end of NAMES (366). Every member keeps reading the JOINs of later arrivals.
 */
export async function lobbyFlow(
  sc: Scenario,
  env: GenEnv,
  pool: Pool,
  r: RunResult,
): Promise<void> {
  const mode = env.lobby ?? 'none';
  let memberJoins = 0;
  const echoed = new Uint8Array(sc.clients);
  const refused = new Map<string, number>();
  pool.handler = (conn, buf, start, end) => {
    if (conn.arrived) {
      // A member: JOINs of later arrivals, counted without allocating (there can be C²/2 of them).
      const c = commandStart(buf, start, end);
      if (
        c >= 0 &&
        end - c > JOIN.length &&
        buf.compare(JOIN, 0, JOIN.length, c, c + JOIN.length) === 0
      )
        memberJoins++;
      else if (commandOf(buf, start, end) === 'PING') Pool.pong(conn, buf, start, end);
      return;
    }
    const cmd = commandOf(buf, start, end);
    // Before its own JOIN a client is in no channel, so the first JOIN it sees is its own echo.
    if (cmd === 'JOIN') echoed[conn.index] = 1;
    else if (cmd === '366' && echoed[conn.index]) pool.arrived(conn);
    else if (cmd === 'PING') Pool.pong(conn, buf, start, end);
    else if (/^4[0-9]{2}$/.test(cmd) && cmd !== '422')
      refused.set(cmd, (refused.get(cmd) ?? 0) + 1);
  };
  const arrival: Arrival | null =
    mode === 'none'
      ? null
      : mode === 'join'
        ? { onWelcome: (c) => c.send(`JOIN ${LOBBY}\r\n`) }
        : {};
  const meter = new Meter(env.serverPid);
  await pool.open(sc.clients, env.regWindow, 'u', env.stallMs, arrival);
  r.seconds = (pool.lastArrivedAt - meter.t0) / 1000;
  // The server may still be relaying the last arrivals' JOINs: that is part of their cost.
  let lines = pool.lines;
  let quietSince = performance.now();
  await waitFor(
    () => {
      if (pool.lines !== lines) [lines, quietSince] = [pool.lines, performance.now()];
      return performance.now() - quietSince >= SETTLE_MS;
    },
    () => pool.lines,
    env.stallMs,
    20,
  );
  const cpuS = meter.finish(r);
  r.connectsPerS = pool.arrivals / r.seconds;
  r.cpuMsPerConn = (cpuS * 1000) / pool.arrivals;
  r.p50Ms = pool.connectLatency.quantileMs(0.5);
  r.p99Ms = pool.connectLatency.quantileMs(0.99);
  r.maxMs = pool.connectLatency.maxUs / 1000;
  if (mode !== 'none')
    r.notes.push(`${memberJoins.toLocaleString('en-US')} JOIN lines relayed to members`);
  for (const [numeric, n] of refused) r.notes.push(`${n}× ${numeric} while arriving`);
  if (pool.arrivals < sc.clients) r.notes.push(`only ${pool.arrivals}/${sc.clients} arrived`);
  r.ok = pool.arrivals === sc.clients && pool.stats.dropped === 0;
}
