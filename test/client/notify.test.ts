// Terminal notifications (--notify): the escape sequence built from remote text (escaping, caps, tmux), and a real session against a real server ringing exactly when the bell would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionEvent } from '../../src/client/events.js';
import {
  autoNotifyStyle,
  notificationFor,
  notificationSequence,
  NOTIFY_GAP_MS,
  NOTIFY_TEXT_MAX,
  startNotifier,
  tmuxWrap,
} from '../../src/client/notify.js';
import { startServer, TestClient } from '../helpers/irc.js';
import { newSession, stopServer } from './session-kit.js';

const OSC9 = /\x1b\]9;([^\x07\x1b]*)\x07/g;
const OSC777 = /\x1b\]777;notify;([^;\x07\x1b]*);([^\x07\x1b]*)\x07/g;

test('OSC 9 and OSC 777 carry title and body; both sends both', () => {
  const n = { title: '#dev', body: '<bob> alice: ping' };
  assert.equal(notificationSequence(n, 'osc9', false), '\x1b]9;#dev: <bob> alice: ping\x07');
  assert.equal(
    notificationSequence(n, 'osc777', false),
    '\x1b]777;notify;#dev;<bob> alice: ping\x07',
  );
  assert.equal(
    notificationSequence(n, 'both', false),
    '\x1b]9;#dev: <bob> alice: ping\x07\x1b]777;notify;#dev;<bob> alice: ping\x07',
  );
});

test('nothing in the text can end the sequence or start another; ; never splits the title', () => {
  const hostile = {
    title: 'ev;il\x1b\\\x07\x9c\x9d\n',
    body: 'a\x07b\x1b]0;title\x1b\\c\x9cd\x90e\u202ef\r\ng;h',
  };
  for (const style of ['osc9', 'osc777', 'both'] as const) {
    const seq = notificationSequence(hostile, style, false);
    const inner = seq.replace(OSC9, '').replace(OSC777, '');
    assert.equal(inner, '', `${style}: only whole sequences: ${JSON.stringify(seq)}`);
    // One ESC per sequence (its start) and one BEL (its end): nothing else of either.
    const count = style === 'both' ? 2 : 1;
    assert.equal(seq.split('\x1b').length - 1, count, JSON.stringify(seq));
    assert.equal(seq.split('\x07').length - 1, count, JSON.stringify(seq));
    assert.doesNotMatch(seq, /[\u0080-\u009f\u202a-\u202e\r\n]/);
  }
  const m = [...notificationSequence(hostile, 'osc777', false).matchAll(OSC777)][0];
  assert.equal(m[1], 'evil\\', 'the title lost its ; and controls');
  assert.equal(m[2], 'ab]0;title\\cdefg;h', 'the body keeps its ;');
});

test('long text is cut to NOTIFY_TEXT_MAX characters, never inside a surrogate pair', () => {
  const body = '😀'.repeat(500);
  const seq = notificationSequence({ title: '', body }, 'osc9', false);
  const text = [...seq.matchAll(OSC9)][0][1];
  assert.equal(Array.from(text).length, NOTIFY_TEXT_MAX);
  assert.ok(text.endsWith('😀…'));
  assert.doesNotMatch(text, /[\ud800-\udbff](?![\udc00-\udfff])/, 'no lone high surrogate');
});

test('OSC 9 text never starts with a digit (ConEmu and Windows Terminal commands)', () => {
  const seq = notificationSequence({ title: '4', body: '50' }, 'osc9', false);
  assert.equal(seq, '\x1b]9;parley: 4: 50\x07');
});

test('in tmux the sequence goes through its passthrough, each ESC doubled', () => {
  const n = { title: 'bob', body: 'hi' };
  assert.equal(tmuxWrap('\x1b]9;x\x07'), '\x1bPtmux;\x1b\x1b]9;x\x07\x1b\\');
  assert.equal(notificationSequence(n, 'osc9', true), '\x1bPtmux;\x1b\x1b]9;bob: hi\x07\x1b\\');
  assert.equal(
    notificationSequence(n, 'both', true),
    tmuxWrap('\x1b]9;bob: hi\x07') + tmuxWrap('\x1b]777;notify;bob;hi\x07'),
  );
});

test('auto picks OSC 777 in rxvt-unicode, foot and VTE, OSC 9 elsewhere', () => {
  assert.equal(autoNotifyStyle({ TERM: 'rxvt-unicode-256color' }), 'osc777');
  assert.equal(autoNotifyStyle({ TERM: 'foot' }), 'osc777');
  assert.equal(autoNotifyStyle({ TERM: 'xterm-256color', VTE_VERSION: '7600' }), 'osc777');
  assert.equal(autoNotifyStyle({ TERM: 'xterm-kitty' }), 'osc9');
  assert.equal(autoNotifyStyle({}), 'osc9');
});

const message = (over: Partial<Extract<SessionEvent, { type: 'message' }>>): SessionEvent => ({
  type: 'message',
  time: 0,
  kind: 'privmsg',
  from: 'bob',
  target: '#dev',
  conversation: '#dev',
  text: 'hello',
  self: false,
  private: false,
  highlight: false,
  ...over,
});

test('a notification exactly when the bell rings: mentions, private messages, invites', () => {
  assert.equal(notificationFor(message({}), 'alice'), null);
  assert.equal(notificationFor(message({ text: 'alice: hi', self: true }), 'alice'), null);
  assert.equal(notificationFor(message({ text: 'alice: hi', history: true }), 'alice'), null);
  assert.deepEqual(notificationFor(message({ text: '\x02alice\x02: \x0304hi' }), 'alice'), {
    title: '#dev',
    body: '<bob> alice: hi',
  });
  const pm = message({ target: 'alice', conversation: 'bob', private: true, text: 'psst' });
  assert.deepEqual(notificationFor(pm, 'alice'), { title: 'bob', body: 'psst' });
  const invite: SessionEvent = { type: 'invite', time: 0, from: 'bob', channel: '#x' };
  assert.deepEqual(notificationFor(invite, 'alice'), {
    title: '#x',
    body: 'bob invites you to #x',
  });
});

test('a burst of mentions notifies once per NOTIFY_GAP_MS', () => {
  const listeners: Array<(e: SessionEvent) => void> = [];
  let now = 1_000_000;
  const written: string[] = [];
  startNotifier(
    { nick: 'alice', onEvent: (l) => (listeners.push(l), () => {}) },
    { write: (s: string) => written.push(s) },
    { style: 'osc9', tmux: false, now: () => now },
  );
  const mention = message({ text: 'alice!' });
  for (const l of listeners) l(mention);
  for (const l of listeners) l(mention);
  assert.equal(written.length, 1);
  now += NOTIFY_GAP_MS;
  for (const l of listeners) l(mention);
  assert.equal(written.length, 2);
});

test('against a real server: a mention writes exactly one sequence, an ordinary line none', async () => {
  const srv = await startServer();
  const { session, rec } = newSession(srv.port, 'alice');
  const written: string[] = [];
  const stop = startNotifier(
    session,
    { write: (s: string) => written.push(s) },
    {
      style: 'osc777',
      tmux: false,
    },
  );
  let bob: TestClient | null = null;
  try {
    session.start();
    await rec.next('join');
    bob = await TestClient.register(srv.port, 'bob');
    bob.send('PRIVMSG #lobby :just chatting');
    await rec.next('message', (m) => m.text === 'just chatting');
    assert.deepEqual(written, []);
    bob.send('PRIVMSG #lobby :alice: \x1b]0;owned\x07lunch?');
    await rec.next('message', (m) => m.text.startsWith('alice:'));
    assert.deepEqual(written, ['\x1b]777;notify;#lobby;<bob> alice: lunch?\x07']);
  } finally {
    stop();
    bob?.destroy();
    session.close();
    await stopServer(srv);
  }
});
