// The console chat log's buffers: a written chunk is filled again only once its sink hands it back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatLog } from '../../src/server/chatlog.js';

const T = Date.UTC(2026, 11, 3, 12, 0, 0);

interface Held {
  chunk: Buffer;
  /** The chunk's text when it was handed over. */
  text: string;
  done: () => void;
}

test('chat log: a chunk is filled again only after its sink says it is written, never while held', () => {
  const held: Held[] = [];
  const log = new ChatLog(
    { write: (chunk, done) => held.push({ chunk, text: chunk.toString(), done: done! }) },
    'text',
  );
  log.join(T, '#a', 'alice');
  log.flush();
  log.join(T, '#a', 'bob');
  log.flush();
  // The first chunk is still held: the second is in memory of its own.
  assert.notEqual(held[1].chunk.buffer, held[0].chunk.buffer);
  held[0].done();
  log.join(T, '#a', 'carol');
  log.flush();
  assert.equal(held[2].chunk.buffer, held[0].chunk.buffer, 'the handed-back chunk is filled again');
  // The held one was never written over, and each chunk said what it said when handed over.
  assert.equal(held[1].chunk.toString(), held[1].text);
  assert.deepEqual(
    held.map((h) => /(\w+) joined/.exec(h.text)?.[1]),
    ['alice', 'bob', 'carol'],
  );
  // Handed back twice over (bob's, then carol's): one spare, the next write takes it.
  held[1].done();
  held[2].done();
  log.join(T, '#a', 'dave');
  log.flush();
  assert.ok([held[1].chunk.buffer, held[2].chunk.buffer].includes(held[3].chunk.buffer));
  assert.match(held[3].chunk.toString(), /dave joined\n$/);
});

test('chat log: a sink that never hands chunks back gets a new one every time', () => {
  const chunks: Buffer[] = [];
  const log = new ChatLog({ write: (chunk) => chunks.push(chunk) }, 'text');
  for (const nick of ['alice', 'bob', 'carol']) {
    log.join(T, '#a', nick);
    log.flush();
  }
  assert.equal(new Set(chunks.map((c) => c.buffer)).size, 3);
  assert.deepEqual(
    chunks.map((c) => /(\w+) joined/.exec(c.toString())?.[1]),
    ['alice', 'bob', 'carol'],
  );
});

test('chat log: lines go to an open relay, without their line break, and to the sink again once it closes', () => {
  const sunk: string[] = [];
  const relayed: string[] = [];
  const relay = { open: true, line: (l: string) => relayed.push(l) };
  const log = new ChatLog({ write: (chunk) => sunk.push(chunk.toString()) }, 'text');
  log.relay = relay;
  log.join(T, '#a', 'alice');
  log.privateMessage(T, 'alice', ['bob', 'carol'], 'hi\x07 there', 'privmsg');
  log.flush();
  assert.deepEqual(sunk, []);
  assert.deepEqual(
    relayed.map((l) => l.replace(/^\d\d:\d\d:\d\d /, '')),
    ['#a --> alice joined', 'alice -> bob,carol: hi there'],
  );
  relay.open = false; // the writer gone
  log.part(T, '#a', 'alice', '');
  log.flush();
  assert.equal(log.relay, null, 'a closed relay is let go');
  assert.equal(relayed.length, 2);
  assert.match(sunk.join(''), /^\d\d:\d\d:\d\d #a <-- alice left\n$/);
});
