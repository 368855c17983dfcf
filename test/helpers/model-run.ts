// The privacy model test's random runs (actions, capabilities, the property), for one server (test/server) and for the nodes of a cluster (test/cluster).
//
// Five clients over real sockets, three channels, a pool of six nicks they share (so a nick
// changes hands), two accounts that connections may log into (so two connections may share one,
// and a reconnect finds its account's private history), history on with the last 3 lines replayed on JOIN to clients without
// draft/chathistory. After each command every client answers a PING (in a cluster, a LUSERS
// first, which goes through the network's order), so all that command caused has arrived; then
// each client's new lines must be exactly those the model (model.ts) says, the actor's numerics
// too (model-driver.ts), and every node's channels must be the model's.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TestServer } from './irc.js';
import type { Caps } from './model.js';
import { CHANS, POOL, SLOTS, type Action, type Login, type Target } from './model-actions.js';
import { Harness } from './model-driver.js';

const caps: fc.Arbitrary<Caps> = fc.record({
  tags: fc.boolean(),
  echo: fc.boolean(),
  batch: fc.boolean(),
  history: fc.boolean(),
  awayNotify: fc.boolean(),
  redaction: fc.boolean(),
  rename: fc.boolean(),
  multiline: fc.boolean(),
});
const who = fc.nat(SLOTS * 2);
/** Mostly not logged in; otherwise one of the two accounts (so two connections may share one). */
const login = fc.constantFrom(-1, -1, 0, 1);
const chan = fc.constantFrom(...CHANS);
const whom = fc.nat(POOL.length - 1);
const asOp = fc.boolean();
const target: fc.Arbitrary<Target> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ chan, status: fc.constantFrom('', '', '', '@', '+') }) },
  { weight: 3, arbitrary: fc.record({ nick: whom }) },
  { weight: 1, arbitrary: fc.record({ account: fc.nat(1) }) },
);
const t = <T extends string>(name: T) => fc.constant(name);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: t('connect'), who, nick: whom, caps, login }) },
  { weight: 2, arbitrary: fc.record({ t: t('quit'), who, drop: fc.boolean() }) },
  {
    weight: 8,
    arbitrary: fc.record({
      t: t('join'),
      who,
      chans: fc.uniqueArray(chan, { minLength: 1, maxLength: 2 }),
      key: fc.constantFrom('right', 'wrong', 'none'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: t('part'), who, chan }) },
  { weight: 2, arbitrary: fc.record({ t: t('kick'), who, chan, whom, asOp }) },
  {
    weight: 8,
    arbitrary: fc.record({
      t: t('mode'),
      who,
      chan,
      plus: fc.boolean(),
      mode: fc.constantFrom('i', 'i', 'k', 'm', 'n', 's', 's', 't', 'o', 'v', 'b', 'b', 'b'),
      whom,
      mask: fc.constantFrom('nick', 'user', 'host', 'full', 'other', 'account'),
      asOp,
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: t('invite'), who, chan, whom, asOp }) },
  { weight: 3, arbitrary: fc.record({ t: t('nick'), who, nick: whom, upper: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: t('umode'), who, on: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: t('probe'),
      who,
      kind: fc.constantFrom('NAMES', 'LIST', 'WHO', 'WHO*', 'WHOIS', 'TOPIC'),
      chan,
      whom,
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: t('away'), who, on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: t('topic'), who, chan, asOp }) },
  {
    weight: 12,
    arbitrary: fc.record({
      t: t('msg'),
      who,
      verb: fc.constantFrom('PRIVMSG', 'PRIVMSG', 'PRIVMSG', 'NOTICE', 'TAGMSG'),
      to: fc.array(target, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: t('history'),
      who,
      sub: fc.constantFrom('LATEST', 'LATEST', 'BEFORE', 'AFTER', 'AROUND', 'BETWEEN'),
      to: target,
      bound: fc.nat(),
      other: fc.nat(),
      star: fc.boolean(),
      limit: fc.integer({ min: 1, max: 6 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: t('targets'), who }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: t('multi'),
      who,
      to: target,
      count: fc.integer({ min: 1, max: 3 }),
      blank: fc.boolean(),
      concat: fc.boolean(),
      notice: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: t('rename'), who, chan, to: chan, reason: fc.boolean(), asOp }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ t: t('redact'), who, to: target, pick: fc.nat(), reason: fc.boolean() }),
  },
);

/** How often each action ran and each numeric was expected: PARLEY_MODEL_STATS=1 prints them. */
const stats = new Map<string, number>();
if (process.env.PARLEY_MODEL_STATS === '1') {
  process.on('exit', () => console.log(Object.fromEntries([...stats].sort())));
}

async function runActions(
  start: () => Promise<TestServer[]>,
  initial: Array<[Caps, Login]>,
  actions: Action[],
): Promise<void> {
  const nodes = await start();
  const h = new Harness(nodes);
  try {
    await h.makeAccounts();
    for (let slot = 0; slot < SLOTS; slot++) await h.connect(slot, POOL[slot], ...initial[slot]);
    const first = h.world.online()[0];
    const whois = await h.client(first).replies(`WHOIS ${first.nick}`);
    h.world.host = whois.find((m) => m.command === '311')!.params[3];
    for (const [n, a] of actions.entries()) {
      const marks = new Map([...h.clients].map(([p, c]) => [p, c.received.length]));
      const done = await h.act(a, n);
      if (done === null) continue;
      const [e, actor] = done;
      const words = [...e.lines.values()]
        .flat()
        .map((l) => l.text.replace(/^\[b\] /, '').split(' '));
      const lines = words.map((w) => (/^(BATCH|FAIL|CHATHISTORY)$/.test(w[0]) ? w[0] : w[1]));
      const keys = [a.t, ...e.numerics.map((x) => x.slice(0, 3)), ...lines.map((c) => 'line ' + c)];
      if (e.history !== undefined) keys.push('bounded history');
      for (const key of keys) stats.set(key, (stats.get(key) ?? 0) + 1);
      await h.settle(actor);
      try {
        h.check(e, actor, marks, n);
        for (const [k, node] of nodes.entries()) {
          const which = nodes.length > 1 ? ` on node ${k + 1}` : '';
          assert.deepEqual(
            h.serverMembership(node),
            h.world.membership(),
            `step ${n}: membership${which}`,
          );
        }
      } catch (err) {
        const steps = h.log.slice(-25).join('\n');
        throw new Error(`${(err as Error).message}\n--- the last steps:\n${steps}`, { cause: err });
      }
    }
  } finally {
    for (const c of h.clients.values()) c.destroy();
    for (const node of nodes) await node.stop();
  }
}

/**
 * The property: from `start`'s servers (one, or a cluster's nodes), random initial joins and up
 * to 80 random actions; PARLEY_FUZZ_RUNS (default `runs`) and PARLEY_FUZZ_SEED choose the runs.
 */
export async function checkModel(start: () => Promise<TestServer[]>, runs: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(caps, login), { minLength: SLOTS, maxLength: SLOTS }),
      fc.array(fc.subarray(CHANS, { minLength: 1, maxLength: 2 }), {
        minLength: SLOTS,
        maxLength: SLOTS,
      }),
      fc.array(action, { minLength: 1, maxLength: 80, size: 'max' }),
      (initial, joins, actions) =>
        runActions(start, initial, [
          ...joins.map((chans, who): Action => ({ t: 'join', who, chans, key: 'none' })),
          ...actions,
        ]),
    ),
    {
      numRuns: Number(process.env.PARLEY_FUZZ_RUNS ?? runs),
      seed: Number(process.env.PARLEY_FUZZ_SEED ?? 15),
      includeErrorInReport: true,
    },
  );
}
