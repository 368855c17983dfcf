// The once-a-second sweep of connection clocks (timeouts.ts), at its exact edges: who is cut, who is PINGed, who is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '../../src/server/client.js';
import { sweepTimeouts } from '../../src/server/timeouts.js';

const CONFIG = {
  name: 'irc.test',
  registrationTimeout: 10_000,
  pingInterval: 60_000,
  pingTimeout: 30_000,
};

interface Fake {
  user: object | null;
  connectedAt: number;
  pingSentAt: number;
  conn: {
    closing: boolean;
    lineStartedAt: number;
    lastActivity: number;
    sent: string[];
    send(b: Buffer): void;
  };
}

function fake(over: Partial<Fake> = {}, conn: Partial<Fake['conn']> = {}): Fake {
  const sent: string[] = [];
  return {
    user: {},
    connectedAt: 0,
    pingSentAt: 0,
    ...over,
    conn: {
      closing: false,
      lineStartedAt: 0,
      lastActivity: 0,
      sent,
      send: (b) => sent.push(b.toString()),
      ...conn,
    },
  };
}

/** Sweep `clients` at `now`: what each was cut for (null: not cut), and the lines each was sent. */
function sweep(now: number, ...clients: Fake[]): { cut: (string | null)[]; sent: string[][] } {
  const cut = new Map<unknown, string>();
  // The sweep reads only the fields a Fake has.
  sweepTimeouts(clients as unknown as Client[], now, CONFIG, (s, reason) => cut.set(s, reason));
  return { cut: clients.map((c) => cut.get(c) ?? null), sent: clients.map((c) => c.conn.sent) };
}

test('registration: cut only once the timeout has passed, not at it', () => {
  const at = sweep(10_000, fake({ user: null }));
  assert.deepEqual(at.cut, [null]);
  const after = sweep(10_001, fake({ user: null }));
  assert.deepEqual(after.cut, ['Registration timed out']);
  assert.deepEqual(after.sent, [[]], 'no PING to an unregistered connection');
});

test('a line left unfinished for longer than the ping timeout is cut, with the seconds', () => {
  const at = sweep(31_000, fake({}, { lineStartedAt: 1000, lastActivity: 30_999 }));
  assert.deepEqual(at.cut, [null]);
  const after = sweep(31_001, fake({}, { lineStartedAt: 1000, lastActivity: 31_000 }));
  assert.deepEqual(after.cut, ['Receive timeout: a line unfinished for 30 seconds']);
});

test('PING after the interval of silence, once; then cut when it goes unanswered past the timeout', () => {
  const quiet = fake({}, { lastActivity: 10_000 });
  assert.deepEqual(sweep(70_000, quiet).sent, [[]], 'not at the interval itself');
  const r = sweep(70_001, quiet);
  assert.deepEqual(r.sent, [['PING :irc.test\r\n']]);
  assert.equal(quiet.pingSentAt, 70_001);
  assert.deepEqual(sweep(80_000, quiet).sent, [['PING :irc.test\r\n']], 'no second PING');
  assert.deepEqual(sweep(100_001, quiet).cut, [null], 'at the timeout: not yet');
  // The seconds since the client last said anything, not since the PING.
  assert.deepEqual(sweep(100_002, quiet).cut, ['Ping timeout: 90 seconds']);
});

test('a closing connection is left alone, and one bad client does not stop the sweep', () => {
  const closing = fake({ user: null }, { closing: true });
  const late = fake({ user: null });
  const fine = fake({}, { lastActivity: 100_000 });
  const r = sweep(100_000, closing, late, fine);
  assert.deepEqual(r.cut, [null, 'Registration timed out', null]);
  assert.deepEqual(r.sent, [[], [], []]);
});
