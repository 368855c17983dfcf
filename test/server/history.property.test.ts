// Fuzzing CHATHISTORY over TCP: random subcommands, targets, bounds and limits against a memory and an SQLite store, each answer checked against the chathistory contract and the two against each other.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryStore, type Store } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { startServer, type TestServer } from '../helpers/irc.js';
import {
  expected,
  params,
  query,
  script,
  type Expected,
  type Query,
  type Rec,
} from '../helpers/history-model.js';
import { WireClient, type WireLine } from '../helpers/wire.js';

/** Most messages one query returns here: under #pub's count, so the cap is exercised. */
const LIMIT = 20;
const CAPS = 'batch server-time message-tags echo-message draft/chathistory';
const FAIL_CODES = new Set([
  'INVALID_PARAMS',
  'INVALID_TARGET',
  'MESSAGE_ERROR',
  'NEED_MORE_PARAMS',
  'UNKNOWN_COMMAND',
]);

interface Setup {
  name: string;
  srv: TestServer;
  alice: WireClient;
  /** Bob and carol stay connected: their leaving would be news in alice's answers. */
  others: WireClient[];
  recs: Rec[];
}

async function connect(port: number, nick: string): Promise<WireClient> {
  const c = await WireClient.connect(port);
  const { got } = await c.step([
    `CAP REQ :${CAPS}`,
    `NICK ${nick}`,
    `USER ${nick} 0 * :${nick}`,
    'CAP END',
  ]);
  assert.ok(
    got.some((l) => l.msg.command === '001'),
    `${nick} registered`,
  );
  return c;
}

/** A server on `store` where alice, bob and carol play the script; alice then leaves #gone. */
async function setUp(name: string, store: Store): Promise<Setup> {
  const srv = await startServer({ defaultChannel: '', historyLimit: LIMIT }, 'text', true, store);
  const people = {
    alice: await connect(srv.port, 'alice'),
    bob: await connect(srv.port, 'bob'),
    carol: await connect(srv.port, 'carol'),
  };
  await people.alice.step(['JOIN #pub,#gone']);
  await people.bob.step(['JOIN #pub']);
  await people.carol.step(['JOIN #priv,#gone']);
  const recs: Rec[] = [];
  for (const said of script()) {
    srv.advance(said.advance);
    const { got } = await people[said.from].step([`${said.verb} ${said.to} :${said.text}`]);
    const echo = got.find((l) => l.msg.command === said.verb && l.msg.params[1] === said.text);
    assert.ok(echo !== undefined, `the echo of ${said.text}`);
    const time = Date.parse(echo.msg.tags!.get('time')!);
    recs.push({ ...said, msgid: echo.msg.tags!.get('msgid')!, time });
  }
  await people.alice.step(['PART #gone']);
  return { name, srv, alice: people.alice, others: [people.bob, people.carol], recs };
}

/** What one answer was: a FAIL's code, a chathistory batch's texts, or TARGETS rows. */
type Got =
  { fail: string } | { texts: string[] } | { targets: Array<{ name: string; time: string }> };

/** The answer's shape: one FAIL CHATHISTORY line, or one whole batch and nothing else. */
function shape(got: WireLine[], q: Query, what: string): Got {
  const first = got[0]?.msg;
  assert.ok(first !== undefined, `${what}: no answer`);
  if (first.command === '461') {
    // A bare CHATHISTORY: no subcommand to FAIL about; 461 as for any command (Ergo does the same).
    assert.ok(got.length === 1 && q.sub === '', `${what}: 461 for a subcommand`);
    return { fail: 'NEED_MORE_PARAMS' };
  }
  if (first.command === 'FAIL') {
    assert.equal(got.length, 1, `${what}: more than the FAIL`);
    assert.equal(first.params[0], 'CHATHISTORY', what);
    assert.ok(FAIL_CODES.has(first.params[1]), `${what}: FAIL code ${first.params[1]}`);
    return { fail: first.params[1] };
  }
  assert.equal(first.command, 'BATCH', `${what}: neither a batch nor a FAIL: ${got[0].raw}`);
  const id = first.params[0].slice(1);
  const last = got.at(-1)!.msg;
  assert.ok(first.params[0].startsWith('+') && last.command === 'BATCH', what);
  assert.deepEqual(last.params, [`-${id}`], `${what}: the batch ends last`);
  const inner = got.slice(1, -1);
  for (const l of inner) assert.equal(l.msg.tags?.get('batch'), id, `${what}: outside the batch`);
  assert.ok(inner.length <= LIMIT, `${what}: ${inner.length} messages, over the limit`);
  if (q.sub.toUpperCase() === 'TARGETS') {
    assert.equal(first.params[1], 'draft/chathistory-targets', what);
    for (const l of inner) assert.equal(l.msg.command, 'CHATHISTORY', what);
    return { targets: inner.map((l) => ({ name: l.msg.params[1], time: l.msg.params[2] })) };
  }
  assert.deepEqual(first.params.slice(1), ['chathistory', q.target], what);
  const times = inner.map((l) => Date.parse(l.msg.tags?.get('time') ?? ''));
  assert.ok(
    times.every((t, k) => k === 0 || t >= times[k - 1]),
    `${what}: not oldest first`,
  );
  for (const l of inner) assert.ok(['PRIVMSG', 'NOTICE'].includes(l.msg.command), l.raw);
  return { texts: inner.map((l) => l.msg.params[1]) };
}

/** The answer is the one the contract gives, and never holds a message alice may not read. */
function check(got: Got, want: Expected, q: Query, what: string): void {
  if ('texts' in got) {
    const allowed =
      q.target.toLowerCase() === '#pub' ? 'P-' : q.target.toLowerCase() === 'bob' ? 'D-' : '';
    for (const t of got.texts) {
      assert.ok(allowed !== '' && t.startsWith(allowed), `${what}: alice read ${t}`);
    }
  }
  if ('fail' in want) {
    assert.ok(
      'fail' in got && want.fail.includes(got.fail),
      `${what}: want FAIL ${want.fail}, got ${JSON.stringify(got)}`,
    );
  } else {
    assert.deepEqual(got, want, what);
  }
}

test("fuzz: random CHATHISTORY queries get the contract's answer, the same from both stores, never more than the limit nor another's messages", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-history-fuzz-'));
  const setups: Setup[] = [];
  const seen = { batches: 0, messages: 0, fails: 0, targets: 0, capped: 0 };
  try {
    setups.push(await setUp('memory', new MemoryStore()));
    setups.push(await setUp('sqlite', openSqliteStore(path.join(dir, 'history.db'))));
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const answers: Got[] = [];
        for (const s of setups) {
          const p = params(q, s.recs);
          const line = ['CHATHISTORY', ...p].join(' ');
          const what = `${s.name}: ${line}`;
          const { got, closed } = await s.alice.step([line]);
          assert.ok(!closed, `${what}: closed`);
          const answer = shape(got, q, what);
          check(answer, expected(q, s.recs, LIMIT), q, what);
          assert.deepEqual(s.alice.problems, [], `${what}: every line well formed`);
          answers.push(answer);
        }
        // Times are each server's own (their clocks started apart): rows compare by name.
        const same = (g: Got) => ('targets' in g ? g.targets.map((r) => r.name) : g);
        assert.deepEqual(same(answers[1]), same(answers[0]), 'the two stores agree');
        const a = answers[0];
        if ('fail' in a) seen.fails++;
        else if ('targets' in a) seen.targets++;
        else {
          seen.batches++;
          seen.messages += a.texts.length;
          if (a.texts.length === LIMIT) seen.capped++;
        }
      }),
      {
        numRuns: Number(process.env.PARLEY_FUZZ_RUNS ?? 150),
        seed: Number(process.env.PARLEY_FUZZ_SEED ?? 20261216),
        includeErrorInReport: true,
      },
    );
  } finally {
    for (const s of setups) {
      for (const c of [s.alice, ...s.others]) c.socket.destroy();
      await s.srv.stop();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  t.diagnostic(`reached: ${JSON.stringify(seen)}`);
  assert.ok(seen.batches > 0 && seen.messages > 0 && seen.fails > 0, 'not vacuous');
});
