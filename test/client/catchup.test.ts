// Catching up after a lost link, against a real parley server (in-memory store): missed messages replayed once, in order, marked as history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';
import type { ChatMessage } from '../../src/client/events.js';
import { formatEvent } from '../../src/client/ui/format.js';
import { connected, newSession, stopServer, TestTimers } from './session-kit.js';
import { recordingRelay } from './fake-servers.js';

const texts = (ms: ChatMessage[]) => ms.map((m) => m.text);

test('after a lost link the client fetches what it missed: each line once, in order, as history', async () => {
  const srv = await startServer();
  const relay = await recordingRelay(srv.port);
  const timers = new TestTimers();
  const { session, rec } = newSession(relay.port, 'alice', { timers });
  const bob = await TestClient.register(srv.port, 'bob');
  try {
    // Something said before alice ever came: a first join fetches the latest lines.
    bob.send('PRIVMSG #lobby :before you came');
    bob.send('PING :stored');
    await bob.expect((m) => m.command === 'PONG' && m.params.includes('stored'));
    await connected(session, rec);
    assert.ok(session.capabilities.has('draft/chathistory'));
    const first = await rec.next('message', (m) => m.text === 'before you came');
    assert.equal(first.history, true);
    assert.ok(relay.sent.some((l) => /^CHATHISTORY LATEST #lobby \* \d+$/.test(l)));

    // Seen live: these must not come back as history.
    bob.send('PRIVMSG #lobby :live one');
    bob.send('PRIVMSG #lobby :live two');
    await rec.next('message', (m) => m.text === 'live two' && m.history !== true);

    // The link drops; reconnecting waits until bob has spoken.
    timers.hold();
    relay.cut();
    await rec.state('reconnecting');
    for (const k of [1, 2, 3]) bob.send(`PRIVMSG #lobby :missed ${k}`);
    bob.send('PING :sync');
    await bob.expect((m) => m.command === 'PONG' && m.params.includes('sync'));
    rec.skip();
    timers.release();
    await rec.next('registered');
    await rec.next('message', (m) => m.text === 'missed 3');
    // One more live line after the catch-up, and a round trip, so nothing is still on its way.
    bob.send('PRIVMSG #lobby :after');
    await rec.next('message', (m) => m.text === 'after');

    // A replay of lines already shown (asked by hand here) shows nothing again; our own echoed
    // line comes after the batch on the same link.
    session.raw('CHATHISTORY LATEST #lobby * 20');
    session.say('#lobby', 'mine');
    await rec.next('message', (m) => m.text === 'mine');

    const all = rec.all('message');
    const counts = new Map<string, number>();
    for (const m of all) counts.set(m.text, (counts.get(m.text) ?? 0) + 1);
    for (const [text, n] of counts) assert.equal(n, 1, `"${text}" shown ${n} times`);
    const replayed = all.filter((m) => m.history === true);
    assert.deepEqual(texts(replayed), ['before you came', 'missed 1', 'missed 2', 'missed 3']);
    assert.deepEqual(texts(all), [
      'before you came',
      'live one',
      'live two',
      'missed 1',
      'missed 2',
      'missed 3',
      'after',
      'mine',
    ]);
    // The second fetch asked for what came after the last line seen live.
    const lastLive = all.find((m) => m.text === 'live two')!.msgid!;
    assert.ok(
      relay.sent.some((l) => l.startsWith(`CHATHISTORY AFTER #lobby msgid=${lastLive} `)),
      relay.sent.filter((l) => l.startsWith('CHATHISTORY')).join('\n'),
    );
    // What a script sees in --plain mode: the marker after the time.
    const shown = formatEvent(replayed[1], { color: false, me: 'alice', current: '#lobby' });
    assert.match(shown ?? '', /^\d\d:\d\d:\d\d \[history\] <bob> missed 1$/);
  } finally {
    session.close();
    bob.socket.destroy();
    await relay.stop();
    await stopServer(srv);
  }
});

test('with history off (--no-history) nothing is requested', async () => {
  const srv = await startServer();
  const relay = await recordingRelay(srv.port);
  const { session, rec } = newSession(relay.port, 'carol', { history: false });
  try {
    await connected(session, rec);
    await session.whenSettled();
    assert.ok(
      !relay.sent.some((l) => /CHATHISTORY|draft\/chathistory/.test(l)),
      relay.sent.join('\n'),
    );
  } finally {
    session.close();
    await relay.stop();
    await stopServer(srv);
  }
});
