// Smoke test of the benchmark harness: tiny scenarios against an in-process parley, every message accounted for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawChart } from '../../bench/chart.js';
import { runScenario, type GenEnv } from '../../bench/flows.js';
import { aggregate, consoleTable, headlineTable, type Report } from '../../bench/report.js';
import { resultsMarkdown } from '../../bench/results-md.js';
import { describe, emptyResult, mergeLobby, selectScenarios } from '../../bench/scenarios.js';
import type { RunResult } from '../../bench/scenarios.js';
import { Codec, Tracker, type Decoded } from '../../bench/tracker.js';
import { startServer } from '../helpers/irc.js';

test('payloads decode from the end of a line, with or without the trailing colon', () => {
  const codec = new Codec(5);
  const text = codec.text(42, 1234);
  const d: Decoded = { sid: 0, seq: 0, sentUs: 0 };
  for (const line of [`:a!b@c PRIVMSG #x :${text}`, `:a!b@c PRIVMSG #x ${text}`]) {
    const buf = Buffer.from(line);
    assert.ok(codec.decode(buf, 0, buf.length, d), line);
    assert.equal(d.sid, 42);
    assert.equal(d.seq, 1234);
    assert.ok(d.sentUs > 0);
  }
  const other = Buffer.from(':a!~u00000100000000@host JOIN :#bench');
  assert.equal(codec.decode(other, 0, other.length, d), false);
});

test('the tracker counts duplicates and reorders per (receiver, sender) pair', () => {
  const t = new Tracker(2, 2, 4, true);
  const at = (sid: number, seq: number): Decoded => ({ sid, seq, sentUs: 0 });
  for (const [recv, sid, seq] of [
    [0, 0, 0],
    [0, 0, 2],
    [0, 0, 1], // late: reordered
    [0, 0, 2], // again: duplicated
    [1, 0, 0], // another receiver's copy: fine
    [1, 1, 3],
  ])
    t.deliver(recv, at(sid, seq), 1);
  assert.equal(t.delivered, 5);
  assert.equal(t.reordered, 1);
  assert.equal(t.duplicated, 1);
});

test('every scenario against parley: nothing lost or reordered, and the records add up', async () => {
  const srv = await startServer({ defaultChannel: '', maxPerIp: 1000, maxClients: 1000 });
  // lobby's run with the channel: parley joins every arrival to it
  const lobbySrv = await startServer({ defaultChannel: '#lobby', maxPerIp: 1000 });
  try {
    const env: GenEnv = {
      host: '127.0.0.1',
      port: srv.port,
      serverPid: process.pid,
      regWindow: 16,
      joinWindow: 16,
      stallMs: 10_000,
    };
    const scenarios = selectScenarios([], true, [
      'fanout.clients=12',
      'fanout.senders=3',
      'fanout.messages=40',
      'fanout-wide.clients=20',
      'fanout-wide.messages=5',
      'direct.clients=10',
      'direct.messages=20',
      'fanout-rate-200.clients=8',
      'fanout-rate-200.senders=2',
      'fanout-rate-200.messages=5',
      'fanout-rate-200.rate=100',
      'fanout-rate.clients=8',
      'fanout-rate.messages=5',
      'fanout-rate.rate=100',
      'direct-rate.clients=6',
      'direct-rate.messages=3',
      'direct-rate.rate=50',
      'blast.clients=12',
      'blast.senders=3',
      'blast.messages=40',
      'direct-blast.clients=10',
      'direct-blast.messages=20',
      'connect.clients=30',
      'lobby.clients=20',
      // 9 MB: more than the stalled reader's socket buffers (several MB, autotuned) and 1 MiB hold
      'flood.messages=20000',
      'idle-2k.clients=20',
      'idle.clients=30',
    ]);
    assert.deepEqual(
      scenarios.map((s) => s.name),
      [
        'fanout',
        'fanout-wide',
        'direct',
        'fanout-rate-200',
        'fanout-rate',
        'direct-rate',
        'blast',
        'direct-blast',
        'connect',
        'lobby',
        'flood',
        'idle-2k',
        'idle',
      ],
    );
    const runs = new Map<string, RunResult[]>();
    for (const sc of scenarios) {
      if (sc.kind === 'flood') {
        const r = await runScenario(sc, env);
        runs.set(`parley/${sc.name}`, [r]);
        checkFlood(r, sc.messages);
        continue;
      }
      if (sc.kind === 'lobby') {
        const none = await runScenario(sc, { ...env, lobby: 'none' });
        const auto = await runScenario(sc, { ...env, port: lobbySrv.port, lobby: 'auto' });
        // as a client of ngircd or InspIRCd arrives: JOIN after 001
        const join = await runScenario(sc, { ...env, lobby: 'join' });
        for (const [mode, r] of Object.entries({ none, auto, join })) {
          assert.ok(r.ok, `lobby ${mode}: ${r.notes.join('; ')}`);
          assert.equal(r.registered, sc.clients, `lobby ${mode} registered`);
          assert.ok(r.connectsPerS > 0 && r.cpuMsPerConn >= 0, `lobby ${mode}: ${r.connectsPerS}`);
          // every arrival with the channel sees each later one's JOIN: 19 + 18 + … + 0
          if (mode !== 'none')
            assert.ok(r.notes.includes('190 JOIN lines relayed to members'), r.notes.join('; '));
        }
        const merged = mergeLobby(none, auto);
        assert.equal(merged.connectsPerS, auto.connectsPerS);
        assert.equal(merged.connectsPerSWithout, none.connectsPerS);
        assert.equal(merged.cpuMsPerConnWithout, none.cpuMsPerConn);
        runs.set(`parley/${sc.name}`, [merged]);
        continue;
      }
      const r = await runScenario(sc, env);
      runs.set(`parley/${sc.name}`, [r]);
      assert.ok(r.ok, `${sc.name}: ${r.notes.join('; ')}`);
      assert.equal(r.lost, 0, `${sc.name} lost`);
      assert.equal(r.duplicated, 0, `${sc.name} duplicated`);
      assert.equal(r.reordered, 0, `${sc.name} reordered`);
      assert.equal(r.registered, sc.clients, `${sc.name} registered`);
      if (sc.kind === 'fanout')
        assert.equal(r.delivered, sc.senders * sc.messages * (sc.clients - 1));
      if (sc.kind === 'direct') assert.equal(r.delivered, sc.clients * sc.messages);
      if (sc.kind === 'idle') assert.equal(r.held, sc.clients);
    }
    // The report and the chart render from those results.
    const report: Report = {
      servers: ['parley'],
      scenarios: scenarios.map((scenario) => ({ scenario, description: describe(scenario) })),
      results: aggregate(['parley'], scenarios, runs),
      runs: 1,
      versions: { parley: 'parley test', ngircd: '', inspircd: '' },
      commands: { parley: 'in-process', ngircd: '', inspircd: '' },
      genCommand: 'in-process',
      regWindows: { parley: 16, ngircd: 8, inspircd: 2000 },
      invocation: 'test',
      machine: {
        cpuModel: 'cpu',
        cores: 2,
        memoryGiB: 1,
        uname: 'uname',
        node: 'v20',
        openFiles: '1',
      },
      elapsedS: 1,
      disturbedS: 0,
      date: new Date().toISOString(),
    };
    const table = consoleTable(report);
    assert.match(table, /fanout-wide/);
    assert.match(table, /lobby +arrivals\/s: with ÷ without +\d+\.\d\d×/);
    assert.match(table, /flood +stalled reader cut/);
    assert.match(table, /direct-blast +p50 latency +[\d.]+ ms/);
    const md = resultsMarkdown(report);
    assert.match(md, /\| direct-rate \|/);
    assert.match(md, /\| lobby \(no channel\) \| parley \|/);
    assert.match(md, /\*\*idle-2k\*\*: 20 registered idle connections/);
    const svg = drawChart(report);
    assert.match(svg, /^<svg[^]*<\/svg>\n$/);
    assert.match(svg, /lobby, none/);
  } finally {
    await srv.stop();
    await lobbySrv.stop();
  }
});

/**
 * What a flood record must say whichever way the server behaves: the verdicts are 0 or 1 and agree
 * with the counts, a cut comes with its reason, the flooder's rate is a rate.
 */
function checkFlood(r: RunResult, messages: number): void {
  const why = r.notes.join('; ');
  assert.equal(r.registered, 3, why);
  assert.equal(r.expected, messages);
  assert.equal(r.delivered + r.lost, messages);
  for (const flag of [r.liveComplete, r.stalledCut, r.senderCut])
    assert.ok(flag === 0 || flag === 1);
  assert.equal(r.liveComplete === 1, r.delivered === messages && r.reordered === 0, why);
  // parley drops a client that stops reading once its queue passes --sendq (1 MiB here)
  assert.equal(r.stalledCut, 1, why);
  assert.match(r.cutReason, /SendQ exceeded/);
  assert.equal(r.senderCut, 0, why);
  assert.ok(r.sendLinesPerS > 0 && Number.isFinite(r.sendLinesPerS), `${r.sendLinesPerS}`);
  assert.ok(r.serverPeakRssKiB > 0);
  assert.equal(r.ok, r.liveComplete === 1, why);
}

test('lobby and flood headlines: per-run ratios, yes/no verdicts and the targets', () => {
  const scenarios = selectScenarios(['lobby', 'flood'], false, []);
  const run = (over: Partial<RunResult>): RunResult => ({ ...emptyResult('x'), ok: true, ...over });
  const lobby = (withS: number, withoutS: number, cpu: number, cpuWithout: number) =>
    run({
      connectsPerS: withS,
      connectsPerSWithout: withoutS,
      cpuMsPerConn: cpu,
      cpuMsPerConnWithout: cpuWithout,
    });
  const flood = (live: number, stalled: number, sender: number, reason = '') =>
    run({
      liveComplete: live,
      stalledCut: stalled,
      senderCut: sender,
      cutReason: reason,
      sendLinesPerS: 50_000,
      serverPeakRssKiB: 81_920,
      ok: live === 1 && stalled === 1 && sender === 0,
    });
  const runs = new Map<string, RunResult[]>([
    // CPU with ÷ without per run: 1, 4, 4, so 4× (the ratio of the medians would say 1×)
    ['parley/lobby', [lobby(100, 200, 1, 1), lobby(180, 200, 1, 0.25), lobby(190, 200, 4, 1)]],
    ['ngircd/lobby', [lobby(50, 100, 4, 0.5)]],
    ['parley/flood', [flood(1, 1, 0, 'SendQ exceeded'), flood(0, 1, 0), flood(1, 1, 0)]],
    ['ngircd/flood', [flood(1, 1, 0)]],
  ]);
  const rows = headlineTable({
    servers: ['parley', 'ngircd'],
    scenarios: scenarios.map((scenario) => ({ scenario, description: describe(scenario) })),
    results: aggregate(['parley', 'ngircd'], scenarios, runs),
  } as Report);
  const row = (label: string) => {
    const r = rows.find((x) => x[1] === label);
    assert.ok(r, label);
    return r;
  };
  // scenario, metric, parley, ngircd, parley/ngircd, target, met
  assert.deepEqual(row('arrivals/s: with ÷ without'), [
    'lobby',
    'arrivals/s: with ÷ without',
    '0.90×',
    '0.50×',
    '—',
    '≥ 0.8×',
    'yes',
  ]);
  assert.deepEqual(row('CPU per arrival: with ÷ without').slice(2), [
    '4.00×',
    '8.00×',
    '—',
    '≤ 3×',
    'NO',
  ]);
  assert.deepEqual(row('arrivals/s into #lobby').slice(2, 5), ['180/s', '50/s', '3.60×']);
  assert.deepEqual(row('live reader got every line, in order').slice(2), [
    '67% of runs ✗',
    'yes',
    '—',
    'yes',
    'NO',
  ]);
  assert.deepEqual(row('stalled reader cut').slice(2, 4), ['yes (SendQ exceeded) ✗', 'yes']);
  assert.equal(row('flooder not cut').at(-1), 'yes');
  assert.deepEqual(row('flooder lines/s through the server').slice(2, 5), [
    '50 k/s (at its socket) ✗',
    '50 k/s',
    '1.00×',
  ]);
  assert.deepEqual(row('server peak RSS').slice(2, 4), ['80.0 MiB ✗', '80.0 MiB']);
});
