// The flood scenario as the load generator runs it: one member floods a channel, one reads, one has stopped reading.
import type { GenEnv } from './flows.js';
import { commandOf, Pool, receiveTime, waitFor, type Conn } from './loadgen.js';
import { Meter } from './proc.js';
import { LOBBY, type RunResult, type Scenario } from './scenarios.js';
import { Codec, Tracker, type Decoded } from './tracker.js';

const LIVE = 1;
const STALLED = 2;
/** Lines per write while flooding (about 56 KiB of 450-byte lines). */
const CHUNK = 128;

/**
 * Three members of the channel: the flooder writes `sc.messages` lines as fast as its socket takes
 * them (a chunk per turn, the next after 'drain'), the live reader reads everything, the stalled reader
 * stops reading after its own end of NAMES and keeps its socket open. Measured: whether the live
 * reader got every line once and in order, the flooder's accepted rate, who was disconnected and
 * why (the QUIT the live reader sees, or the ERROR the cut client reads afterwards).
 */
export async function floodFlow(
  sc: Scenario,
  env: GenEnv,
  pool: Pool,
  r: RunResult,
): Promise<void> {
  await pool.open(3, 3, 'flood', env.stallMs);
  if (pool.arrivals < 3) {
    r.notes.push(`only ${pool.arrivals}/3 registered`);
    return;
  }
  const [flooder, live, stalled] = pool.conns;
  const M = sc.messages;
  const codec = new Codec(sc.pad);
  const tracker = new Tracker(1, 1, M, true);
  const d: Decoded = { sid: 0, seq: 0, sentUs: 0 };
  const joined = new Uint8Array(3);
  const ponged = new Uint8Array(3);
  /** Nick → reason of each QUIT the live reader saw; conn index → text of each ERROR read. */
  const quits = new Map<string, string>();
  const errors = new Map<number, string>();
  let stalledLines = 0;
  pool.handler = (conn, buf, start, end) => {
    if (codec.decode(buf, start, end, d)) {
      if (conn.index === LIVE) tracker.deliver(0, d, receiveTime());
      else if (conn.index === STALLED) stalledLines++;
      return;
    }
    const cmd = commandOf(buf, start, end);
    if (cmd === '366') joined[conn.index] = 1;
    else if (cmd === 'QUIT') quits.set(sourceNick(buf, start, end), trailing(buf, start, end));
    else if (cmd === 'ERROR') errors.set(conn.index, trailing(buf, start, end));
    else if (cmd === 'PING') Pool.pong(conn, buf, start, end);
    else if (cmd === 'PONG') ponged[conn.index] = 1;
  };

  // One at a time, the stalled reader last: after its own end of NAMES nothing else is due to it.
  for (const c of pool.conns) {
    c.send(`JOIN ${LOBBY}\r\n`);
    if (
      !(await waitFor(
        () => joined[c.index] === 1,
        () => 0,
        env.stallMs,
      ))
    ) {
      r.notes.push(`${c.nick} could not join ${LOBBY}`);
      return;
    }
  }
  stalled.socket.pause();

  const meter = new Meter(env.serverPid);
  let written = 0;
  let accepted = 0;
  let lastAcceptAt = NaN;
  // One chunk per event-loop turn: a write the kernel takes at once fires 'drain' on the next
  // tick, and writing again from there would push the whole flood out before the readers (in this
  // same process) read a byte.
  const write = () => {
    if (written >= M || flooder.closed) return;
    const n = Math.min(CHUNK, M - written);
    let text = '';
    for (let k = 0; k < n; k++) text += `PRIVMSG ${LOBBY} :${codec.text(0, written + k)}\r\n`;
    written += n;
    const more = flooder.socket.write(text, (err) => {
      if (err) return;
      accepted += n;
      lastAcceptAt = performance.now();
    });
    if (more) setImmediate(write);
    else flooder.socket.once('drain', () => setImmediate(write));
  };
  write();
  const complete = await waitFor(
    () => tracker.delivered + tracker.duplicated >= M || live.closed,
    () => tracker.delivered + accepted,
    env.stallMs,
  );
  meter.finish(r);
  if (!complete) r.notes.push(`stalled for ${env.stallMs} ms before every line reached the reader`);

  // Was the stalled reader cut? The live reader sees its QUIT; give the server a while to decide,
  // then read what the stalled socket holds: a cut one ends (perhaps with an ERROR), a kept one
  // answers a PING once it has drained.
  await waitFor(
    () => quits.has(stalled.nick) || live.closed,
    () => 0,
    env.stallMs,
    20,
  );
  stalled.socket.resume();
  for (const c of [stalled, flooder, live]) await probe(c, ponged, () => stalledLines, env.stallMs);

  r.expected = M;
  r.delivered = tracker.delivered;
  r.duplicated = tracker.duplicated;
  r.reordered = tracker.reordered;
  r.lost = M - tracker.delivered;
  r.seconds = (tracker.lastDeliveryAt - meter.t0) / 1000;
  r.deliveriesPerS = tracker.delivered / r.seconds;
  r.p50Ms = tracker.latency.quantileMs(0.5);
  r.p99Ms = tracker.latency.quantileMs(0.99);
  r.maxMs = tracker.latency.maxUs / 1000;
  const why = (c: Conn) => {
    const quit = quits.get(c.nick);
    // ngircd's QUIT to the channel carries only the nick; the ERROR to the client says more
    return errors.get(c.index) ?? (quit && quit !== c.nick ? quit : 'no reason given');
  };
  r.liveComplete =
    r.lost === 0 &&
    r.duplicated === 0 &&
    r.reordered === 0 &&
    tracker.malformed === 0 &&
    !live.closed
      ? 1
      : 0;
  r.stalledCut = stalled.closed ? 1 : 0;
  r.senderCut = flooder.closed ? 1 : 0;
  r.cutReason = stalled.closed ? why(stalled) : '';
  if (live.closed) r.notes.push(`the live reader was cut (${why(live)})`);
  if (flooder.closed)
    r.notes.push(`the flooder was cut (${why(flooder)}) after ${accepted}/${M} lines`);
  r.notes.push(
    stalled.closed
      ? `the stalled reader was cut (${why(stalled)}) holding ${stalledLines} lines`
      : `the stalled reader was not cut; it held ${stalledLines} lines`,
  );
  if (tracker.malformed > 0) r.notes.push(`${tracker.malformed} malformed payloads`);
  // The flooder's rate is how fast the server took its lines. Its socket takes megabytes at once
  // (the kernel buffers), so with a reader that got everything the lines count as taken when they
  // reached it; otherwise only the socket's count is left, and the note says so.
  if (r.liveComplete === 1)
    r.sendLinesPerS = M / ((Math.max(lastAcceptAt, tracker.lastDeliveryAt) - meter.t0) / 1000);
  else {
    r.sendLinesPerS = accepted / ((lastAcceptAt - meter.t0) / 1000);
    r.notes.push('flooder lines/s counted at its socket (the live reader did not get everything)');
  }
  r.ok = r.liveComplete === 1 && r.stalledCut === 1 && r.senderCut === 0;
}

/**
 * PING `c` and wait until it answers or closes; progress is `drained()` (a reader catching up on a
 * backlog makes progress before its PONG).
 */
async function probe(c: Conn, ponged: Uint8Array, drained: () => number, stallMs: number) {
  if (c.closed) return;
  c.send('PING :probe\r\n');
  await waitFor(() => c.closed || ponged[c.index] === 1, drained, stallMs, 10);
}

/** The nick of a line's ":nick!user@host" source, '' when it has none. */
function sourceNick(buf: Buffer, start: number, end: number): string {
  if (buf[start] !== 0x3a) return '';
  let e = start + 1;
  while (e < end && buf[e] !== 0x21 && buf[e] !== 0x20) e++;
  return buf.toString('latin1', start + 1, e);
}

/** The trailing parameter (after " :"), or the last word. */
function trailing(buf: Buffer, start: number, end: number): string {
  const from = buf[start] === 0x3a ? buf.indexOf(0x20, start) + 1 : start;
  const colon = buf.indexOf(' :', from);
  if (colon >= 0 && colon < end) return buf.toString('utf8', colon + 2, end);
  return buf.toString('utf8', buf.lastIndexOf(0x20, end - 1) + 1, end);
}
