// The soak (bench/soak*.ts): its ledger catches losses, reorders, duplicates and history gaps, and a short soak against a real `parley serve` finds none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSoakServer } from '../../bench/soak.js';
import { Ledger, type HistoryEntry } from '../../bench/soak-ledger.js';
import { soakMarkdown, soakTable, textChart } from '../../bench/soak-md.js';
import { trend, type MemSample } from '../../bench/soak-memory.js';
import { DEFAULTS, runSoak } from '../../bench/soak-run.js';
import { soakChart } from '../../bench/soak-svg.js';
import { HOST } from '../../bench/peers.js';

const SENDER = 2;
const MEMBER = 1;

/** A ledger with one channel (0) and a member that joined at t=0; the sender's messages at 1, 2, … */
function setup() {
  const ledger = new Ledger(1, () => '#c');
  const w = ledger.open(0, MEMBER, 0);
  const seqs = new Int32Array(4).fill(-1);
  const msgs = [1, 2, 3].map((t, k) => {
    const m = ledger.send(SENDER, k, 0, t);
    ledger.confirm(m, `id${k}`, t + 0.5);
    return m;
  });
  return { ledger, w, seqs, msgs };
}

test('a message confirmed while a member was in and missing at its fence is lost', () => {
  const { ledger, w, seqs, msgs } = setup();
  ledger.receive(w, msgs[0], 'id0', seqs);
  ledger.receive(w, msgs[2], 'id2', seqs);
  ledger.fence(w, 10);
  assert.equal(ledger.counts.expected, 3);
  assert.equal(ledger.counts.lost, 1);
  assert.match(ledger.examples[0], /message 1 .* never reached slot 1/);
});

test('messages arriving out of order, twice or elsewhere are counted', () => {
  const { ledger, w, seqs, msgs } = setup();
  ledger.receive(w, msgs[1], 'id1', seqs);
  ledger.receive(w, msgs[0], 'id0', seqs); // late: both orders broken
  ledger.receive(w, msgs[1], 'id1', seqs); // again
  ledger.receive(w, msgs[2], 'other', seqs); // another msgid than its echo's
  const c = ledger.counts;
  assert.equal(c.reorderedSender, 1);
  assert.equal(c.reorderedConversation, 1);
  assert.equal(c.duplicated, 1);
  assert.equal(c.mangled, 1);
});

test('only messages handled during the stay are owed: not before the JOIN, not after the PART', () => {
  const ledger = new Ledger(1, () => '#c');
  const seqs = new Int32Array(4).fill(-1);
  const before = ledger.send(SENDER, 0, 0, 0);
  const w = ledger.open(0, MEMBER, 1);
  ledger.confirm(before, 'a', 2);
  const during = ledger.send(SENDER, 1, 0, 3);
  ledger.confirm(during, 'b', 4);
  const late = ledger.send(SENDER, 2, 0, 5);
  const own = ledger.send(MEMBER, 0, 0, 5.5);
  ledger.confirm(own, 'c', 6);
  ledger.receive(w, during, 'b', seqs);
  // PART written at 6.5, before `late`'s echo: not owed, nor the member's own message (its echo).
  ledger.close(w, 6.5);
  ledger.confirm(late, 'd', 7);
  assert.equal(ledger.counts.expected, 1);
  assert.equal(ledger.counts.lost, 0);
});

test('an open stay waits at a fence for messages not confirmed yet', () => {
  const ledger = new Ledger(1, () => '#c');
  const w = ledger.open(0, MEMBER, 0);
  const pending = ledger.send(SENDER, 0, 0, 1);
  const later = ledger.send(SENDER, 1, 0, 2);
  ledger.confirm(later, 'b', 3);
  ledger.fence(w, 5);
  assert.equal(ledger.counts.expected, 0, 'nothing judged past a pending message');
  ledger.confirm(pending, 'a', 6); // confirmed after the fence: owed only to a later one
  ledger.fence(w, 7);
  assert.equal(ledger.counts.lost, 2);
});

test('history must hold what sorts after the message named, once each, as sent', () => {
  const { ledger, msgs } = setup();
  const extra = ledger.send(SENDER, 3, 0, 4);
  ledger.confirm(extra, 'id3', 4.5);
  const entry = (k: number): HistoryEntry => ({ msg: ledger.msgs[k], msgid: `id${k}` });
  ledger.history(0, msgs[0], 3.6, 5, [entry(1), entry(2), entry(3)]);
  assert.equal(ledger.counts.historyMissing, 0);
  assert.equal(ledger.counts.historyRecovered, 2, 'id1 and id2 were handled before the rejoin');
  ledger.history(0, msgs[0], 3.6, 5, [entry(1), entry(1), entry(3)]);
  assert.equal(ledger.counts.historyDuplicated, 1);
  assert.equal(ledger.counts.historyMissing, 1);
  ledger.history(0, msgs[0], 3.6, 5, [entry(1), entry(2), { msg: null, msgid: 'id9' }]);
  assert.equal(ledger.counts.historyMangled, 1);
  assert.equal(ledger.counts.historyMissing, 2);
});

test('memory is flat unless its fitted line rises more than the limit after warm-up', () => {
  const at = (t: number, kib: number): MemSample => ({
    t,
    rssKiB: kib,
    anonKiB: kib,
    heapKiB: kib,
    heapTotalKiB: kib,
    externalKiB: 0,
    writerKiB: 0,
    online: 1,
  });
  const flat = [at(0, 10), at(10, 100), at(20, 101), at(30, 99), at(40, 100)];
  assert.equal(trend(flat, (s) => s.rssKiB, 10, 5).flat, true);
  const growing = [at(10, 100), at(20, 110), at(30, 120), at(40, 130)];
  const t = trend(growing, (s) => s.rssKiB, 10, 5);
  assert.equal(t.flat, false);
  assert.ok(Math.abs(t.growthPct - 30) < 1e-9, `${t.growthPct}`);
  assert.ok(Math.abs(t.slopeKiBPerHour - 3600) < 1e-6);
});

test('a short soak against parley serve: nothing lost, reordered or missing from history', async () => {
  const o = {
    ...DEFAULTS,
    seconds: 20,
    clients: 50,
    channels: 5,
    chatS: 1,
    sessionS: 5,
    offlineS: 1,
    partS: 1,
    fenceS: 2,
    sampleS: 2,
    progressS: 1000,
    warmupS: 6,
    // Twenty seconds is mostly warm-up: only a runaway heap fails here.
    maxGrowthPct: 200,
  };
  const { server, heapFile, stop } = await startSoakServer(o);
  let r;
  try {
    r = await runSoak(o, { host: HOST, port: server.port, pid: server.pid, heapFile });
  } finally {
    await stop();
  }
  const c = r.counts;
  const why = `${r.failures.join('; ')}\n${soakTable(r)}`;
  assert.deepEqual(r.failures, [], why);
  assert.ok(c.expected > 1000 && c.deliveries >= c.expected, why);
  assert.ok(c.confirmed > 100 && c.historyFetches > 10 && c.historyRecovered > 0, why);
  assert.ok(r.clients.quits > 0 && r.clients.drops > 0 && r.clients.parts > 0, why);
  assert.ok(r.samples.length >= 8 && r.samples.every((s) => s.rssKiB > 0), why);
  assert.ok(
    r.samples.some((s) => s.heapKiB > 0),
    'the heap probe answered',
  );
  const md = soakMarkdown(r, {
    version: 'parley test',
    command: server.command,
    invocation: 'test',
    machine: { cpuModel: 'cpu', cores: 2, memoryGiB: 1, uname: '', node: 'v20', openFiles: '1' },
  });
  assert.match(md, /^# Soak\n/);
  assert.match(md, /\| verdict \| passed \|/);
  assert.match(md, /\| lost \| 0 \|/);
  assert.match(md, /!\[Server memory over the soak\]\(soak\.svg\)/);
  assert.match(textChart(r.samples), /R/);
  assert.match(soakChart(r), /^<svg[^]*<polyline[^]*<\/svg>\n$/);
});
