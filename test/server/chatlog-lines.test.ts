// The console chat log line by line: every kind of event in text and in JSON, the switches (off, private only, private text hidden), the fast path's bytes, and the pending buffer's growth and timer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatLog, type ChatFormat } from '../../src/server/chatlog.js';
import type { User } from '../../src/server/user.js';

/** Noon UTC; the clock printed is local time, so tests compare lines without it. */
const T = Date.UTC(2026, 11, 3, 12, 0, 0);
const CLOCK = /^\d\d:\d\d:\d\d /;

/** A chat log whose sink keeps every chunk; `lines()` flushes and gives what was written. */
function logged(format: ChatFormat = 'text') {
  const chunks: Buffer[] = [];
  const log = new ChatLog({ write: (chunk) => chunks.push(Buffer.from(chunk)) }, format);
  const text = () => {
    log.flush();
    return Buffer.concat(chunks).toString();
  };
  const lines = () => text().split('\n').slice(0, -1);
  return { log, chunks, text, lines };
}

/** A user as the fast path sees one: a nick and its bytes. */
const user = (nick: string) => ({ nick, wireNick: () => Buffer.from(nick) }) as unknown as User;

/** Every kind of event once, as the server reports them. */
function everything(log: ChatLog): void {
  log.channelMessage(T, '#c', 'alice', 'hello', 'privmsg');
  log.privateMessage(T, 'alice', ['bob', 'carol'], 'psst', 'privmsg');
  log.join(T, '#c', 'bob');
  log.part(T, '#c', 'bob', 'later');
  log.kick(T, '#c', 'alice', 'carol', 'rude');
  log.quit(T, 'dave', 'Ping timeout');
  log.nick(T, 'erin', 'erin2');
  log.mode(T, '#c', 'alice', ['+o', 'bob']);
  log.rename(T, '#c', '#d', 'alice', 'tidy');
  log.topic(T, '#d', 'alice', 'the topic');
}

test('text: one line per event with the clock, control characters stripped from what users wrote', () => {
  const { log, lines } = logged();
  everything(log);
  log.part(T, '#c', 'bob', '');
  log.rename(T, '#d', '#e', 'alice', '');
  log.part(T, '#c', 'x', 'a\x1b[31mred');
  log.kick(T, '#c', 'a', 'b', 'k\x07');
  log.quit(T, 'q', 'q\x03uit');
  log.mode(T, '#c', 'a', ['+k', 'ke\x02y']);
  log.rename(T, '#e', '#f', 'a', 'w\x1fhy');
  log.topic(T, '#f', 'a', 't\x0fopic');
  const got = lines();
  assert.ok(
    got.every((l) => CLOCK.test(l)),
    'every line starts with its clock',
  );
  assert.deepEqual(
    got.map((l) => l.replace(CLOCK, '')),
    [
      '#c <alice> hello',
      'alice -> bob,carol: psst',
      '#c --> bob joined',
      '#c <-- bob left (later)',
      '#c <-- carol was kicked by alice (rude)',
      '<-- dave quit (Ping timeout)',
      'erin is now known as erin2',
      '#c alice set mode +o bob',
      '#c was renamed #d by alice (tidy)',
      '#d alice set the topic: the topic',
      '#c <-- bob left',
      '#d was renamed #e by alice',
      '#c <-- x left (a[31mred)',
      '#c <-- b was kicked by a (k)',
      '<-- q quit (quit)',
      '#c a set mode +k key',
      '#e was renamed #f by a (why)',
      '#f a set the topic: topic',
    ],
  );
});

test('text: private messages by kind, and their text hidden when private text is not logged', () => {
  const { log, lines } = logged();
  const kinds = ['privmsg', 'action', 'notice', 'ctcp'] as const;
  for (const kind of kinds) log.privateMessage(T, 'a', ['b'], 'x\x01y', kind);
  log.logPrivate = false;
  for (const kind of kinds) log.privateMessage(T, 'a', ['b'], 'secret', kind);
  log.privateBytes(T, user('a'), user('b'), Buffer.from('::secret too::'), 2, 12);
  assert.deepEqual(
    lines().map((l) => l.replace(CLOCK, '')),
    [
      'a -> b: xy',
      'a -> b: * a xy',
      'a -> b: -notice- xy',
      'a -> b: CTCP xy',
      'a -> b: [private]',
      'a -> b: * a [private]',
      'a -> b: -notice- [private]',
      'a -> b: CTCP [private]',
      'a -> b: [private]',
    ],
  );
});

test('json: one object per event with an ISO time, every field named, text as sent', () => {
  const { log, lines } = logged('json');
  everything(log);
  log.privateBytes(T, user('bob'), user('alice'), Buffer.from('[hey\x01]'), 1, 5);
  log.logPrivate = false;
  log.privateMessage(T, 'alice', ['bob'], 'hidden', 'notice');
  const got = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  const time = new Date(T).toISOString();
  assert.ok(got.every((o) => o.time === time));
  assert.deepEqual(
    got.map(({ time: _, ...rest }) => rest),
    [
      { type: 'privmsg', from: 'alice', to: ['#c'], text: 'hello' },
      { type: 'privmsg', from: 'alice', to: ['bob', 'carol'], text: 'psst' },
      { type: 'join', nick: 'bob', channel: '#c' },
      { type: 'part', nick: 'bob', channel: '#c', reason: 'later' },
      { type: 'kick', by: 'alice', nick: 'carol', channel: '#c', reason: 'rude' },
      { type: 'quit', nick: 'dave', reason: 'Ping timeout' },
      { type: 'nick', from: 'erin', to: 'erin2' },
      { type: 'mode', nick: 'alice', channel: '#c', modes: ['+o', 'bob'] },
      { type: 'rename', nick: 'alice', from: '#c', to: '#d', reason: 'tidy' },
      { type: 'topic', nick: 'alice', channel: '#d', topic: 'the topic' },
      { type: 'privmsg', from: 'bob', to: ['alice'], text: 'hey\x01' },
      { type: 'notice', from: 'alice', to: ['bob'], text: null },
    ],
  );
});

test('off prints nothing; private only prints private messages alone, in either format', () => {
  for (const format of ['text', 'json'] as const) {
    const off = logged(format);
    off.log.enabled = false;
    everything(off.log);
    assert.equal(off.log.privateBytes(T, user('a'), user('b'), Buffer.from('hi'), 0, 2), false);
    assert.equal(off.log.channelShownByStore(), false);
    assert.equal(off.text(), '', `${format}: off`);
    assert.equal(off.chunks.length, 0, 'not even an empty write');

    const only = logged(format);
    only.log.privateOnly = true;
    everything(only.log);
    only.log.privateBytes(T, user('a'), user('b'), Buffer.from('hi'), 0, 2);
    const got = only.lines();
    assert.equal(got.length, 2, `${format}: the two private messages, nothing else`);
    assert.match(got[0], /alice|psst/);
    assert.match(got[1], /"from":"a"|a -> b: hi/);
  }
});

test('the fast path: bytes copied as they came, with the clock; a relay shows them from the record', () => {
  const { log, lines } = logged();
  const src = Buffer.from('xxPRIVMSG bob :héllo wörld\r\nyy');
  const start = src.indexOf('h');
  const end = src.indexOf('\r');
  assert.equal(log.privateBytes(T, user('alice'), user('bob'), src, start, end), false);
  log.privateBytes(T + 1000, user('bob'), user('alice'), src, start, end);
  const got = lines();
  assert.deepEqual(
    got.map((l) => l.replace(CLOCK, '')),
    ['alice -> bob: héllo wörld', 'bob -> alice: héllo wörld'],
  );
  assert.notEqual(got[0].slice(0, 8), got[1].slice(0, 8), 'the clock moved on a second');

  // With a relay open, the caller hands the record over marked shown: nothing is written here.
  const relayed: string[] = [];
  log.relay = { open: true, line: (l) => relayed.push(l) };
  assert.equal(log.privateBytes(T, user('a'), user('b'), src, start, end), true);
  assert.equal(log.channelShownByStore(), true, 'text, on, a relay open');
  assert.equal(relayed.length, 0, 'nothing relayed either');
  assert.deepEqual(lines(), got, 'nothing more written to the sink');
  log.privateOnly = true;
  assert.equal(log.channelShownByStore(), false, 'a private-only log shows no channel');
  log.privateOnly = false;
  const json = logged('json');
  json.log.relay = { open: true, line: (l) => relayed.push(l) };
  assert.equal(json.log.channelShownByStore(), false, 'the store prints text only');
  assert.equal(json.log.privateBytes(T, user('a'), user('b'), src, start, end), false);
  assert.match(relayed[0], /"text":"héllo wörld"/, 'JSON goes to the relay as a line');
});

test('the pending buffer grows past its first size keeping what it held, for text and for bytes', () => {
  const { log, lines } = logged();
  const long = 'é'.repeat(9000); // 18,000 bytes: past the first 16 KiB on its own
  log.join(T, '#a', 'first');
  log.channelMessage(T, '#a', 'alice', long, 'privmsg');
  const big = Buffer.from('z'.repeat(40_000));
  log.privateBytes(T, user('a'), user('b'), big, 0, big.length);
  log.join(T, '#a', 'last');
  const got = lines().map((l) => l.replace(CLOCK, ''));
  assert.deepEqual(got, [
    '#a --> first joined',
    `#a <alice> ${long}`,
    `a -> b: ${'z'.repeat(40_000)}`,
    '#a --> last joined',
  ]);
  // After that, a write starts from the grown size: one chunk for as much again.
  const again = logged();
  again.log.channelMessage(T, '#a', 'alice', 'x'.repeat(40_000), 'privmsg');
  again.log.flush();
  again.log.join(T, '#a', 'a');
  again.log.join(T, '#a', 'b');
  again.log.flush();
  assert.equal(again.chunks.length, 2);
  assert.deepEqual(
    again
      .text()
      .split('\n')
      .slice(1, 3)
      .map((l) => l.replace(CLOCK, '')),
    ['#a --> a joined', '#a --> b joined'],
  );
});

test('lines are written together within 10 ms, by one timer, and flush() writes at once', async () => {
  const { log, chunks } = logged();
  let timers = 0;
  const realSetTimeout = globalThis.setTimeout;
  const counting = ((fn: () => void, ms: number) => {
    timers++;
    return realSetTimeout(fn, ms);
  }) as typeof setTimeout;
  globalThis.setTimeout = counting;
  try {
    log.join(T, '#a', 'a');
    log.join(T, '#a', 'b');
    log.privateBytes(T, user('a'), user('b'), Buffer.from('hi'), 0, 2);
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assert.equal(timers, 1, 'one timer for the lines of a turn');
  assert.equal(chunks.length, 0, 'nothing written yet');
  await new Promise((r) => realSetTimeout(r, 40));
  assert.equal(chunks.length, 1, 'written by the timer, in one write');
  assert.equal(chunks[0].toString().split('\n').length, 4);
  log.join(T, '#a', 'c');
  log.flush();
  assert.equal(chunks.length, 2, 'flush() writes at once');
  log.flush();
  assert.equal(chunks.length, 2, 'nothing pending: no empty write');
  await new Promise((r) => realSetTimeout(r, 40));
  assert.equal(chunks.length, 2, 'flush() cleared the timer: it writes nothing more');
});

test('the default format is text, and every fast-path line has its clock', () => {
  const chunks: Buffer[] = [];
  const log = new ChatLog({ write: (chunk) => chunks.push(Buffer.from(chunk)) });
  log.privateBytes(T, user('a'), user('b'), Buffer.from('one'), 0, 3);
  log.privateBytes(T + 1000, user('a'), user('b'), Buffer.from('two'), 0, 3);
  log.join(T, '#a', 'c');
  log.flush();
  const lines = Buffer.concat(chunks).toString().split('\n').slice(0, -1);
  assert.equal(lines.length, 3);
  for (const l of lines) assert.match(l, CLOCK);
});

test('a fast-path line that just fails to fit its buffer grows it, long nicks and all', () => {
  const { log, lines } = logged();
  // 10,018 bytes first (the buffer is 16 KiB); then one whose reservation (clock 9 + nicks 60 + 60
  // + text + 8) brings the total to 16,390, six past the buffer: it must grow, or the line is cut.
  log.privateBytes(T, user('a'), user('b'), Buffer.alloc(10_000, 0x61), 0, 10_000);
  const [from, to] = [user('f'.repeat(60)), user('t'.repeat(60))];
  log.privateBytes(T, from, to, Buffer.alloc(6235, 0x62), 0, 6235);
  const got = lines().map((l) => l.replace(CLOCK, ''));
  assert.deepEqual(got, [
    `a -> b: ${'a'.repeat(10_000)}`,
    `${from.nick} -> ${to.nick}: ${'b'.repeat(6235)}`,
  ]);
});

test('a buffer handed back is reused once, never while the sink still holds it, nor when too small', () => {
  const held: Array<{ chunk: Buffer; text: string; done: () => void }> = [];
  const log = new ChatLog(
    { write: (chunk, done) => held.push({ chunk, text: chunk.toString(), done: done! }) },
    'text',
  );
  log.join(T, '#a', 'a'); // buffer A (16 KiB)
  log.flush();
  log.join(T, '#a', 'b'); // buffer B
  log.flush();
  held[0].done(); // A is the spare
  log.join(T, '#a', 'c'); // A again, held once more
  log.flush();
  assert.equal(held[2].chunk.buffer, held[0].chunk.buffer);
  log.join(T, '#a', 'd'); // A is held: a buffer of its own
  log.flush();
  assert.notEqual(held[3].chunk.buffer, held[0].chunk.buffer, 'a held buffer is not the spare');
  assert.equal(held[2].chunk.toString(), held[2].text, 'what A holds is untouched');
  // B back as the spare (16 KiB), then a line of 40,000 bytes: too big for B, a new buffer.
  held[1].done();
  log.channelMessage(T, '#a', 'e', 'x'.repeat(40_000), 'privmsg');
  log.flush();
  assert.notEqual(held[4].chunk.buffer, held[1].chunk.buffer);
  assert.match(held[4].text, new RegExp(`<e> x{40000}\n$`));
});
