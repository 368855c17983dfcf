// Bursts for the flow-control tests: numbered lines written as fast as a socket takes them, and the check that a reader got them all, in order.
import assert from 'node:assert/strict';
import type { TestClient } from './irc.js';

const LINE_TEXT = 'x'.repeat(420);

/** Write `count` numbered PRIVMSG lines to `target` as fast as the socket takes them. */
export async function blast(
  client: TestClient,
  target: string,
  count: number,
  from = 0,
): Promise<void> {
  const socket = client.socket;
  let k = from;
  const end = from + count;
  while (k < end) {
    let chunk = '';
    for (let n = 0; n < 64 && k < end; n++, k++)
      chunk += `PRIVMSG ${target} :${k} ${LINE_TEXT}\r\n`;
    if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
  }
}

/** Wait until `client` has received numbered lines up to `from + count - 1`; check none is missing or out of order. */
export async function receivedInOrder(client: TestClient, count: number, from = 0): Promise<void> {
  const last = `${from + count - 1} `;
  await client.expect(
    (m) => m.command === 'PRIVMSG' && m.params[1].startsWith(last),
    60_000,
    `line ${last}`,
  );
  let next = from;
  for (const r of client.received) {
    if (r.msg.command !== 'PRIVMSG' || !/^\d+ x/.test(r.msg.params[1])) continue;
    const n = Number(r.msg.params[1].slice(0, r.msg.params[1].indexOf(' ')));
    if (n < from) continue;
    assert.equal(n, next, `${client.nick} got line ${n} where ${next} was due`);
    next++;
  }
  assert.equal(next, from + count);
}

/** Make `c` read in bursts, `ms` reading and `ms` not (shorter than a stall); returns what stops it, reading. */
export function readInBursts(c: TestClient, ms = 300): () => void {
  let reading = true;
  const toggler = setInterval(() => {
    reading = !reading;
    if (reading) c.socket.resume();
    else c.socket.pause();
  }, ms);
  return () => {
    clearInterval(toggler);
    c.socket.resume();
  };
}
