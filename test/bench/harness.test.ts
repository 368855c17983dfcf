// Smoke test of the benchmark harness: tiny scenarios against an in-process parley, every message accounted for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drawChart } from '../../bench/chart.js';
import { runScenario, type GenEnv } from '../../bench/flows.js';
import { aggregate, consoleTable, type Report } from '../../bench/report.js';
import { resultsMarkdown } from '../../bench/results-md.js';
import { describe, selectScenarios, type RunResult } from '../../bench/scenarios.js';
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

test('fanout, direct, fixed-rate, connect and idle against parley: nothing lost or reordered', async () => {
  const srv = await startServer({ defaultChannel: '', maxPerIp: 1000, maxClients: 1000 });
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
      'fanout-rate.clients=8',
      'fanout-rate.messages=5',
      'fanout-rate.rate=100',
      'direct-rate.clients=6',
      'direct-rate.messages=3',
      'direct-rate.rate=50',
      'connect.clients=30',
      'idle.clients=30',
    ]);
    const runs = new Map<string, RunResult[]>();
    for (const sc of scenarios) {
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
    assert.match(consoleTable(report), /fanout-wide/);
    assert.match(resultsMarkdown(report), /\| direct-rate \|/);
    assert.match(drawChart(report), /^<svg[^]*<\/svg>\n$/);
  } finally {
    await srv.stop();
  }
});
