// Table-driven tests for formatEvent, sanitize, nickColor, wantsBell, mentions and displayWidth, with terminal-injection properties.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ChatMessage, SessionEvent } from '../../src/client/events.js';
import {
  NICK_PALETTE,
  displayWidth,
  formatEvent,
  mentions,
  nickColor,
  sanitize,
  wantsBell,
  type FormatOptions,
} from '../../src/client/ui/format.js';

/** 12:00:01 local time, whatever TZ the tests run in. */
const T = new Date(2024, 0, 1, 12, 0, 1).getTime();
const ESC = '\x1b';
const RESET = `${ESC}[0m`;
const SGR = /\x1b\[[0-9;]*m/g;
/** Controls no output may hold once our SGR codes are taken out: C0, DEL, C1, bidi overrides. */
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const OFF: FormatOptions = { color: false, me: 'me', current: '#lobby', now: T };
const ON: FormatOptions = { ...OFF, color: true };

function msg(over: Partial<ChatMessage>): ChatMessage {
  return {
    type: 'message',
    time: T,
    kind: 'privmsg',
    from: 'alice',
    target: '#lobby',
    conversation: '#lobby',
    text: 'hello',
    self: false,
    private: false,
    highlight: false,
    ...over,
  };
}

const incoming = (over: Partial<ChatMessage> = {}): ChatMessage =>
  msg({ target: 'me', conversation: 'alice', private: true, highlight: true, text: 'hi', ...over });
const outgoing = (over: Partial<ChatMessage> = {}): ChatMessage =>
  msg({ from: 'me', target: 'bob', conversation: 'bob', private: true, self: true, ...over });

/** Every escape is one of our SGR codes, no other control survives, and colour lines end reset. */
function assertSafe(out: string, color: boolean): void {
  const rest = out.replace(SGR, '');
  assert.ok(!FORBIDDEN.test(rest), `control left in ${JSON.stringify(out)}`);
  if (!color) assert.ok(!out.includes(ESC), `escape in colourless ${JSON.stringify(out)}`);
  if (color && out.includes(ESC)) assert.ok(out.endsWith(RESET), `unclosed ${JSON.stringify(out)}`);
}

const strip = (s: string): string => s.replace(SGR, '');

describe('formatEvent, colour off: exact lines', () => {
  const cases: readonly [
    name: string,
    event: SessionEvent,
    expected: string | null,
    opts?: Partial<FormatOptions>,
  ][] = [
    // channel messages
    ['in the current channel', msg({}), '12:00:01 <alice> hello'],
    [
      'elsewhere: tagged',
      msg({ target: '#dev', conversation: '#dev' }),
      '12:00:01 [#dev] <alice> hello',
    ],
    ['no current conversation', msg({}), '12:00:01 [#lobby] <alice> hello', { current: null }],
    [
      'current compared by case mapping',
      msg({ conversation: '#lobby' }),
      '12:00:01 <alice> hello',
      { current: '#LOBBY' },
    ],
    [
      'rfc1459 folds [ to {',
      msg({ conversation: '#a[b]' }),
      '12:00:01 <alice> hello',
      { current: '#A{B}' },
    ],
    [
      'ascii does not',
      msg({ conversation: '#a[b]' }),
      '12:00:01 [#a[b]] <alice> hello',
      { current: '#A{B}', casemapping: 'ascii' },
    ],
    ['our own', msg({ from: 'me', self: true }), '12:00:01 <me> hello'],
    [
      'highlight (colour off: no mark)',
      msg({ text: 'hi me', highlight: true }),
      '12:00:01 <alice> hi me',
    ],
    ['unicode', msg({ from: 'Zoë', text: '你好 👋 é' }), '12:00:01 <Zoë> 你好 👋 é'],
    [
      'formatting stripped',
      msg({ text: '\x02bold\x02 \x0304,02red\x03 \x1dit\x1d' }),
      '12:00:01 <alice> bold red it',
    ],
    ['empty text', msg({ text: '' }), '12:00:01 <alice> '],
    // private
    ['private incoming', incoming(), '12:00:01 [alice → you] hi'],
    [
      'private incoming, in its query',
      incoming(),
      '12:00:01 [alice → you] hi',
      { current: 'alice' },
    ],
    ['private outgoing', outgoing({ text: 'hi' }), '12:00:01 [you → bob] hi'],
    [
      'private outgoing, several',
      outgoing({ target: 'bob,carol', conversation: 'bob,carol', text: 'hi' }),
      '12:00:01 [you → bob,carol] hi',
    ],
    // actions
    ['action', msg({ kind: 'action', text: 'waves' }), '12:00:01 * alice waves'],
    [
      'action elsewhere',
      msg({ kind: 'action', conversation: '#dev', target: '#dev', text: 'waves' }),
      '12:00:01 [#dev] * alice waves',
    ],
    [
      'own action',
      msg({ kind: 'action', from: 'me', self: true, text: 'waves' }),
      '12:00:01 * me waves',
    ],
    [
      'private action',
      incoming({ kind: 'action', text: 'waves' }),
      '12:00:01 [alice → you] * alice waves',
    ],
    [
      'own private action',
      outgoing({ kind: 'action', text: 'waves' }),
      '12:00:01 [you → bob] * me waves',
    ],
    // notices
    ['channel notice', msg({ kind: 'notice', text: 'text' }), '12:00:01 -alice- text'],
    [
      'channel notice elsewhere',
      msg({ kind: 'notice', conversation: '#dev', target: '#dev', text: 'text' }),
      '12:00:01 [#dev] -alice- text',
    ],
    ['private notice', incoming({ kind: 'notice', text: 'text' }), '12:00:01 -alice- text'],
    [
      'server notice',
      incoming({
        kind: 'notice',
        from: 'irc.example.net',
        conversation: 'irc.example.net',
        text: '*** Looking up your hostname',
      }),
      '12:00:01 -irc.example.net- *** Looking up your hostname',
    ],
    ['own notice', outgoing({ kind: 'notice', text: 'text' }), '12:00:01 [you → bob] -me- text'],
    // membership
    [
      'join',
      { type: 'join', time: T, nick: 'alice', channel: '#lobby', self: false },
      '12:00:01 --> alice joined #lobby',
    ],
    [
      'own join',
      { type: 'join', time: T, nick: 'me', channel: '#lobby', self: true },
      '12:00:01 --> you joined #lobby',
    ],
    [
      'part with reason',
      { type: 'part', time: T, nick: 'bob', channel: '#lobby', reason: 'bye all', self: false },
      '12:00:01 <-- bob left #lobby (bye all)',
    ],
    [
      'part without reason',
      { type: 'part', time: T, nick: 'bob', channel: '#lobby', reason: '', self: false },
      '12:00:01 <-- bob left #lobby',
    ],
    [
      'part, reason only controls',
      { type: 'part', time: T, nick: 'bob', channel: '#lobby', reason: '\x02\x1b[2J', self: false },
      '12:00:01 <-- bob left #lobby',
    ],
    [
      'own part',
      { type: 'part', time: T, nick: 'me', channel: '#dev', reason: '', self: true },
      '12:00:01 <-- you left #dev',
    ],
    [
      'quit',
      { type: 'quit', time: T, nick: 'bob', reason: 'Ping timeout', channels: ['#lobby'] },
      '12:00:01 <-- bob quit (Ping timeout)',
    ],
    [
      'quit without reason',
      { type: 'quit', time: T, nick: 'bob', reason: '', channels: [] },
      '12:00:01 <-- bob quit',
    ],
    [
      'kick',
      {
        type: 'kick',
        time: T,
        by: 'alice',
        nick: 'bob',
        channel: '#dev',
        reason: 'spam',
        self: false,
      },
      '12:00:01 <-- bob was kicked from #dev by alice (spam)',
    ],
    [
      'kick without reason',
      { type: 'kick', time: T, by: 'alice', nick: 'bob', channel: '#dev', reason: '', self: false },
      '12:00:01 <-- bob was kicked from #dev by alice',
    ],
    [
      'kicked ourselves',
      {
        type: 'kick',
        time: T,
        by: 'alice',
        nick: 'me',
        channel: '#dev',
        reason: 'out',
        self: true,
      },
      '12:00:01 <-- you were kicked from #dev by alice (out)',
    ],
    [
      'we kick',
      { type: 'kick', time: T, by: 'ME', nick: 'bob', channel: '#dev', reason: '', self: false },
      '12:00:01 <-- bob was kicked from #dev by you',
    ],
    // identity and channel state
    [
      'nick',
      { type: 'nick', time: T, from: 'alice', to: 'alicia', self: false, channels: ['#lobby'] },
      '12:00:01 -- alice is now known as alicia',
    ],
    [
      'own nick',
      { type: 'nick', time: T, from: 'me', to: 'me2', self: true, channels: [] },
      '12:00:01 -- you are now known as me2',
    ],
    [
      'topic set',
      { type: 'topic', time: T, channel: '#dev', topic: 'Release on Friday', by: 'alice' },
      '12:00:01 -- alice set the topic of #dev: Release on Friday',
    ],
    [
      'topic set by us',
      { type: 'topic', time: T, channel: '#dev', topic: 'x', by: 'me' },
      '12:00:01 -- you set the topic of #dev: x',
    ],
    [
      'topic cleared',
      { type: 'topic', time: T, channel: '#dev', topic: '', by: 'alice' },
      '12:00:01 -- alice cleared the topic of #dev',
    ],
    [
      'topic on join',
      { type: 'topic', time: T, channel: '#dev', topic: 'Welcome', by: null },
      '12:00:01 -- topic of #dev: Welcome',
    ],
    [
      'no topic',
      { type: 'topic', time: T, channel: '#dev', topic: '', by: null },
      '12:00:01 -- #dev has no topic',
    ],
    [
      'mode',
      { type: 'mode', time: T, target: '#dev', by: 'alice', modes: ['+o', 'bob'] },
      '12:00:01 -- alice sets mode +o bob on #dev',
    ],
    [
      'mode by us',
      { type: 'mode', time: T, target: '#dev', by: 'me', modes: ['+nt'] },
      '12:00:01 -- you set mode +nt on #dev',
    ],
    [
      'user mode from the server',
      { type: 'mode', time: T, target: 'me', by: 'irc.example.net', modes: ['+i'] },
      '12:00:01 -- irc.example.net sets mode +i on me',
    ],
    [
      'away',
      { type: 'away', time: T, nick: 'alice', message: 'lunch' },
      '12:00:01 -- alice is away: lunch',
    ],
    [
      'away, empty message',
      { type: 'away', time: T, nick: 'alice', message: '' },
      '12:00:01 -- alice is away',
    ],
    ['back', { type: 'away', time: T, nick: 'alice', message: null }, '12:00:01 -- alice is back'],
    [
      'we are away',
      { type: 'away', time: T, nick: 'me', message: 'brb' },
      '12:00:01 -- you are away: brb',
    ],
    [
      'we are back',
      { type: 'away', time: T, nick: 'me', message: null },
      '12:00:01 -- you are back',
    ],
    [
      'invite',
      { type: 'invite', time: T, from: 'alice', channel: '#dev' },
      '12:00:01 -- alice invites you to #dev',
    ],
    // server text
    [
      'info',
      { type: 'info', time: T, text: 'bob is bob@host (Bob)', conversation: null },
      '12:00:01 -- bob is bob@host (Bob)',
    ],
    [
      'info for the current conversation',
      { type: 'info', time: T, text: 'End of WHO', conversation: '#lobby' },
      '12:00:01 -- End of WHO',
    ],
    [
      'info for another',
      { type: 'info', time: T, text: 'End of WHO', conversation: '#dev' },
      '12:00:01 [#dev] -- End of WHO',
    ],
    [
      'error',
      { type: 'error', time: T, text: 'No such nick: bob', code: '401', conversation: null },
      '12:00:01 !! No such nick: bob',
    ],
    [
      'error for another',
      { type: 'error', time: T, text: 'Cannot send', code: '404', conversation: '#dev' },
      '12:00:01 [#dev] !! Cannot send',
    ],
    // connection
    ['connecting', { type: 'state', state: 'connecting' }, '12:00:01 -- connecting…'],
    ['registering', { type: 'state', state: 'registering' }, '12:00:01 -- connected; registering…'],
    ['connected', { type: 'state', state: 'connected' }, '12:00:01 -- connected'],
    [
      'disconnected',
      { type: 'state', state: 'disconnected', reason: 'Connection reset' },
      '12:00:01 -- disconnected: Connection reset',
    ],
    [
      'disconnected, no reason',
      { type: 'state', state: 'disconnected' },
      '12:00:01 -- disconnected',
    ],
    [
      'reconnecting',
      { type: 'state', state: 'reconnecting', reason: 'EOF', retryInMs: 4000, attempt: 2 },
      '12:00:01 -- disconnected: EOF — reconnecting in 4s (attempt 2)',
    ],
    [
      'reconnecting, seconds round up',
      { type: 'state', state: 'reconnecting', retryInMs: 3001, attempt: 1 },
      '12:00:01 -- disconnected — reconnecting in 4s (attempt 1)',
    ],
    [
      'reconnecting, nothing known',
      { type: 'state', state: 'reconnecting' },
      '12:00:01 -- disconnected — reconnecting',
    ],
    [
      'registered',
      { type: 'registered', nick: 'me', server: 'irc.example.net', network: 'ExampleNet' },
      '12:00:01 -- registered as me on irc.example.net (ExampleNet)',
    ],
    [
      'registered, no network',
      { type: 'registered', nick: 'me_', server: 'irc.example.net', network: null },
      '12:00:01 -- registered as me_ on irc.example.net',
    ],
    // shown elsewhere
    ['names', { type: 'names', channel: '#lobby', nicks: ['alice', '@bob'] }, null],
    ['lag', { type: 'lag', ms: 42 }, null],
    ['readmarker', { type: 'readmarker', target: '#dev', marker: 1, self: false }, null],
  ];
  for (const [name, event, expected, over] of cases) {
    test(name, () => {
      assert.equal(formatEvent(event, { ...OFF, ...over }), expected);
    });
  }

  test('timestamps are local HH:MM:SS, zero-padded', () => {
    const t = new Date(2024, 5, 9, 7, 5, 3, 999).getTime();
    assert.equal(formatEvent(msg({ time: t }), OFF), '07:05:03 <alice> hello');
    assert.equal(
      formatEvent({ type: 'state', state: 'connected' }, { ...OFF, now: t }),
      '07:05:03 -- connected',
    );
  });

  test('every event type is covered by the table', () => {
    const types = new Set<string>(cases.map(([, e]) => e.type));
    // A Record, not a list: a new event type that is missing here is a compile error.
    const all: Record<SessionEvent['type'], true> = {
      state: true,
      registered: true,
      message: true,
      join: true,
      part: true,
      kick: true,
      quit: true,
      nick: true,
      topic: true,
      mode: true,
      names: true,
      away: true,
      invite: true,
      info: true,
      error: true,
      lag: true,
      readmarker: true,
    };
    for (const t of Object.keys(all)) assert.ok(types.has(t), t);
  });
});

describe('formatEvent, colour on', () => {
  const alice = `${ESC}[${nickColor('alice')}m`;
  const cases: readonly [
    name: string,
    event: SessionEvent,
    contains: string[],
    opts?: Partial<FormatOptions>,
  ][] = [
    [
      'dim timestamp, coloured nick',
      msg({}),
      [`${ESC}[2m12:00:01${RESET} <`, `${alice}alice${RESET}> hello`],
    ],
    [
      'highlighted nick: bold reverse',
      msg({ text: 'hey me', highlight: true }),
      [`${ESC}[1;7;${nickColor('alice')}malice`],
    ],
    ['mention found without the flag', msg({ text: 'hey ME!' }), [`${ESC}[1;7;`]],
    [
      'private: highlighted in the tag',
      incoming(),
      [`[${ESC}[1;7;${nickColor('alice')}malice${RESET} → you] hi`],
    ],
    [
      'own message: not highlighted',
      msg({ from: 'me', self: true, text: 'me me me', highlight: false }),
      [`${ESC}[${nickColor('me')}mme`],
    ],
    ['bold', msg({ text: 'a \x02b\x02 c' }), [`a ${ESC}[0;1mb${RESET} c`]],
    [
      'mIRC colours',
      msg({ text: '\x0304,02red on blue' }),
      [`${ESC}[0;38;5;9;48;5;4mred on blue${RESET}`],
    ],
    ['extended colour 52', msg({ text: '\x0352x' }), [`${ESC}[0;38;5;196mx`]],
    [
      'italic, underline, reverse, strike',
      msg({ text: '\x1d\x1f\x16\x1ex' }),
      [`${ESC}[0;3;4;7;9mx`],
    ],
    [
      'event dim',
      { type: 'join', time: T, nick: 'bob', channel: '#lobby', self: false },
      [`${ESC}[2m--> `, ' joined #lobby'],
    ],
    [
      'formatting inside a dim event returns to dim',
      { type: 'part', time: T, nick: 'bob', channel: '#l', reason: '\x02x\x02 y', self: false },
      [`(${ESC}[0;2;1mx${ESC}[0;2m y)`],
    ],
    [
      'error red',
      { type: 'error', time: T, text: 'No such nick', code: '401', conversation: null },
      [`${ESC}[31m!! No such nick`],
    ],
    [
      'disconnection yellow',
      { type: 'state', state: 'reconnecting', retryInMs: 1000, attempt: 1 },
      [`${ESC}[33m-- disconnected`],
    ],
  ];
  for (const [name, event, contains, over] of cases) {
    test(name, () => {
      const out = formatEvent(event, { ...ON, ...over });
      assert.ok(out !== null);
      for (const c of contains)
        assert.ok(out.includes(c), `${JSON.stringify(out)} lacks ${JSON.stringify(c)}`);
      assert.ok(out.endsWith(RESET));
      assert.ok(!out.endsWith(RESET + RESET), 'double reset');
      assertSafe(out, true);
      // without the SGR codes, the colour line is the colourless one
      assert.equal(strip(out), formatEvent(event, { ...OFF, ...over }));
    });
  }
});

describe('sanitize: injection attempts', () => {
  const cases: readonly [name: string, input: string, off: string][] = [
    ['clear screen', 'a\x1b[2Jb', 'ab'],
    ['clear screen alone', '\x1b[2J', ''],
    ['SGR from the wire is not ours', '\x1b[1;31mred\x1b[0m', 'red'],
    ['cursor moves', '\x1b[10;20Hx\x1b[Ay', 'xy'],
    ['private CSI', '\x1b[?1049hx\x1b[?25l', 'x'],
    ['OSC title, BEL', '\x1b]0;title\x07x', 'x'],
    ['OSC title, ST', '\x1b]0;title\x1b\\x', 'x'],
    ['OSC 52 clipboard', '\x1b]52;c;ZXZpbA==\x07x', 'x'],
    ['OSC 8 hyperlink', '\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\', 'link'],
    ['DCS', '\x1bPpayload\x1b\\x', 'x'],
    ['APC, PM, SOS', '\x1b_a\x1b\\\x1b^b\x1b\\\x1bXc\x1b\\x', 'x'],
    ['unterminated OSC loses its introducer', '\x1b]0;title', '0;title'],
    ['lone ESC', 'a\x1b', 'a'],
    ['two-byte escapes', '\x1b7saved\x1b8\x1bc\x1b(0', 'saved'],
    ['8-bit CSI', '\x9b2Jx', 'x'],
    ['8-bit OSC and ST', '\x9d0;t\x9cx', 'x'],
    ['8-bit DCS with BEL', '\x90q\x07x', 'x'],
    ['other C1', 'a\x85b\x8dc', 'abc'],
    ['carriage return overwrite', 'innocent\rEVIL', 'innocentEVIL'],
    ['backspaces', 'abc\x08\x08\x08xyz', 'abcxyz'],
    ['bell', '\x07ding', 'ding'],
    ['newlines', 'a\nb\x0bc\x0cd', 'abcd'],
    ['DEL', 'a\x7fb', 'ab'],
    ['NUL', 'a\0b', 'ab'],
    ['tab becomes a space', 'a\tb', 'a b'],
    ['bidi overrides', 'a\u202eevil\u202c b\u2066c\u2069', 'aevil bc'],
    // IRC formatting, colour off
    ['bold', '\x02b\x02', 'b'],
    ['colours', '\x0304,02x\x03y', 'xy'],
    ['one-digit colours', '\x034,2x', 'x'],
    ['bare ^C', '\x03x', 'x'],
    ['comma without bg digit is text', '\x0304,x', ',x'],
    ['comma without fg is text', '\x03,5x', ',5x'],
    ['only two digits are a colour', '\x0312345', '345'],
    ['99 then a digit', '\x03999', '9'],
    ['hex colour', '\x04ff0000red\x04', 'red'],
    ['hex colour with background', '\x04ff0000,00ff00x', 'x'],
    ['monospace, strike, reset', '\x11m\x1es\x0f', 'ms'],
    ['plain unicode untouched', '你好 👨‍👩‍👧 é', '你好 👨‍👩‍👧 é'],
  ];
  for (const [name, input, off] of cases) {
    test(name, () => {
      assert.equal(sanitize(input, false), off);
      const on = sanitize(input, true);
      assertSafe(on, true);
      assert.equal(strip(on), off);
    });
  }
});

describe('sanitize: IRC formatting to SGR', () => {
  const cases: readonly [input: string, expected: string][] = [
    ['plain', 'plain'],
    ['\x02bold', `${ESC}[0;1mbold${RESET}`],
    ['\x02b\x02 n', `${ESC}[0;1mb${RESET} n${RESET}`],
    ['\x1d\x1fiu\x0f', `${ESC}[0;3;4miu${RESET}`],
    ['\x16r', `${ESC}[0;7mr${RESET}`],
    ['\x1es', `${ESC}[0;9ms${RESET}`],
    ['\x0304,02x\x03y', `${ESC}[0;38;5;9;48;5;4mx${RESET}y${RESET}`],
    ['\x0300w\x0301b', `${ESC}[0;38;5;15mw${ESC}[0;38;5;0mb${RESET}`],
    ['\x0315x', `${ESC}[0;38;5;7mx${RESET}`],
    ['\x0316x', `${ESC}[0;38;5;52mx${RESET}`],
    ['\x0398x', `${ESC}[0;38;5;231mx${RESET}`],
    ['\x0304x\x0399y', `${ESC}[0;38;5;9mx${RESET}y${RESET}`],
    ['\x0304,02x\x0307y', `${ESC}[0;38;5;9;48;5;4mx${ESC}[0;38;5;3;48;5;4my${RESET}`],
    ['\x02\x0304bx\x0fz', `${ESC}[0;1;38;5;9mbx${RESET}z${RESET}`],
    // no empty spans
    ['\x02\x02x', 'x'],
    ['\x02', ''],
    ['x\x02', 'x'],
    // foreign escapes never leak into ours
    ['\x0304\x1b[2Jx', `${ESC}[0;38;5;9mx${RESET}`],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => {
      assert.equal(sanitize(input, true), expected);
    });
  }
});

describe('properties', () => {
  const nasty = fc.constantFrom(
    '\x1b',
    '\x1b[',
    '\x1b]',
    '\x1bP',
    '\x1b\\',
    '\x9b',
    '\x9d',
    '\x9c',
    '\x90',
    '\x07',
    '\r',
    '\n',
    '\x08',
    '\0',
    '\x7f',
    '\x85',
    '\x02',
    '\x03',
    '\x0304,02',
    '\x0399',
    '\x04',
    '\x0f',
    '\x16',
    '\x1d',
    '\x1e',
    '\x1f',
    '\x11',
    '\u202e',
    '\u2066',
    ';',
    'm',
    '[',
    '2J',
    '0;',
    '99',
    ',',
  );
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
    { weight: 3, arbitrary: nasty },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
  );
  const text = fc.array(piece, { maxLength: 16 }).map((parts) => parts.join(''));

  test('sanitize: only our SGR escapes, no controls, closed with a reset', () => {
    fc.assert(
      fc.property(text, fc.boolean(), (s, color) => {
        assertSafe(sanitize(s, color), color);
      }),
      { numRuns: 2000 },
    );
  });

  test('sanitize: colour adds only SGR codes to the colourless text', () => {
    fc.assert(
      fc.property(text, (s) => {
        assert.equal(strip(sanitize(s, true)), sanitize(s, false));
      }),
      { numRuns: 1000 },
    );
  });

  const eventOf = fc.oneof(
    fc
      .record({
        kind: fc.constantFrom('privmsg', 'notice', 'action') as fc.Arbitrary<ChatMessage['kind']>,
        from: text,
        target: text,
        conversation: text,
        text,
        self: fc.boolean(),
        private: fc.boolean(),
        highlight: fc.boolean(),
      })
      .map((r): SessionEvent => ({ type: 'message', time: T, ...r })),
    fc
      .record({ nick: text, channel: text, reason: text, self: fc.boolean() })
      .map((r): SessionEvent => ({ type: 'part', time: T, ...r })),
    fc
      .record({ by: text, nick: text, channel: text, reason: text, self: fc.boolean() })
      .map((r): SessionEvent => ({ type: 'kick', time: T, ...r })),
    fc
      .record({ nick: text, reason: text })
      .map((r): SessionEvent => ({ type: 'quit', time: T, channels: [], ...r })),
    fc
      .record({ from: text, to: text })
      .map((r): SessionEvent => ({ type: 'nick', time: T, self: false, channels: [], ...r })),
    fc
      .record({ channel: text, topic: text, by: fc.option(text, { nil: null }) })
      .map((r): SessionEvent => ({ type: 'topic', time: T, ...r })),
    fc
      .record({ target: text, by: text, modes: fc.array(text, { maxLength: 3 }) })
      .map((r): SessionEvent => ({ type: 'mode', time: T, ...r })),
    fc
      .record({ nick: text, message: fc.option(text, { nil: null }) })
      .map((r): SessionEvent => ({ type: 'away', time: T, ...r })),
    fc
      .record({ from: text, channel: text })
      .map((r): SessionEvent => ({ type: 'invite', time: T, ...r })),
    fc
      .record({ text, conversation: fc.option(text, { nil: null }) })
      .map((r): SessionEvent => ({ type: 'info', time: T, ...r })),
    fc
      .record({ text, conversation: fc.option(text, { nil: null }) })
      .map((r): SessionEvent => ({ type: 'error', time: T, code: '400', ...r })),
    fc
      .record({ reason: text, retryInMs: fc.nat(100_000), attempt: fc.nat(50) })
      .map((r): SessionEvent => ({ type: 'state', state: 'reconnecting', ...r })),
    fc
      .record({ nick: text, server: text, network: fc.option(text, { nil: null }) })
      .map((r): SessionEvent => ({ type: 'registered', ...r })),
    fc
      .record({ nick: text, channel: text, self: fc.boolean() })
      .map((r): SessionEvent => ({ type: 'join', time: T, ...r })),
  );

  test('formatEvent: no escape but our SGR, no control, whatever the remote strings', () => {
    fc.assert(
      fc.property(
        eventOf,
        fc.boolean(),
        text,
        fc.option(text, { nil: null }),
        (e, color, me, current) => {
          const out = formatEvent(e, { color, me, current, now: T });
          assert.ok(out !== null);
          assertSafe(out, color);
          assert.ok(out.startsWith('12:00:01 ') || out.startsWith(`${ESC}[2m12:00:01`));
          if (color)
            assert.equal(strip(out), formatEvent(e, { color: false, me, current, now: T }));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('nickColor', () => {
  test('stable, case-insensitive (rfc1459), from the palette', () => {
    const params = nickColor('alice');
    assert.equal(nickColor('alice'), params);
    assert.equal(nickColor('ALICE'), params);
    assert.equal(nickColor('a[b]'), nickColor('A{B}'));
    assert.match(params, /^38;5;\d+$/);
    assert.ok(NICK_PALETTE.includes(Number(params.split(';')[2])));
    assert.equal(NICK_PALETTE.length, 12);
  });

  test('spreads nicks over the whole palette', () => {
    const used = new Set<string>();
    for (let k = 0; k < 500; k++) used.add(nickColor(`user${k}`));
    assert.equal(used.size, NICK_PALETTE.length);
  });

  test('different nicks usually differ', () => {
    const nicks = ['alice', 'bob', 'carol', 'dave', 'eve', 'frank', 'grace', 'heidi'];
    assert.ok(new Set(nicks.map((n) => nickColor(n))).size >= 5);
  });
});

describe('mentions', () => {
  const cases: readonly [text: string, me: string, expected: boolean][] = [
    ['hi me', 'me', true],
    ['me: ping', 'me', true],
    ['ME!', 'me', true],
    ['hello @me.', 'me', true],
    ['some messages', 'me', false],
    ['meme', 'me', false],
    ['me_ here', 'me', false],
    ['<me> hi', 'me', true],
    ['ping [me]', 'me', false], // "[me]" is a nick of its own: brackets are nick characters
    ['ping ME{', 'me', false],
    ['hi \x02me\x02', 'me', true],
    ['hi Zoë', 'zoë', true],
    ['anything', '', false],
    ['x me_2 x', 'me_2', true],
    ['x me_22 x', 'me_2', false],
  ];
  for (const [text, me, expected] of cases) {
    test(`${JSON.stringify(text)} / ${me}`, () => assert.equal(mentions(text, me), expected));
  }
});

describe('wantsBell', () => {
  const cases: readonly [name: string, event: SessionEvent, expected: boolean][] = [
    ['channel message', msg({}), false],
    ['mention, flagged', msg({ text: 'hi me', highlight: true }), true],
    ['mention, not flagged', msg({ text: 'hi me' }), true],
    ['private message', incoming({ highlight: false }), true],
    ['private action', incoming({ kind: 'action' }), true],
    ['our own private message', outgoing({ text: 'me' }), false],
    ['our own mention', msg({ from: 'me', self: true, text: 'me', highlight: true }), false],
    [
      'private notice from a service',
      incoming({ kind: 'notice', from: 'NickServ', text: 'Identified' }),
      false,
    ],
    [
      'notice naming us',
      incoming({ kind: 'notice', from: 'NickServ', text: 'me is registered' }),
      true,
    ],
    ['channel notice', msg({ kind: 'notice', text: 'x' }), false],
    ['invite', { type: 'invite', time: T, from: 'alice', channel: '#dev' }, true],
    [
      'we are kicked',
      { type: 'kick', time: T, by: 'a', nick: 'me', channel: '#d', reason: '', self: true },
      true,
    ],
    [
      'someone else kicked',
      { type: 'kick', time: T, by: 'a', nick: 'b', channel: '#d', reason: '', self: false },
      false,
    ],
    ['join', { type: 'join', time: T, nick: 'alice', channel: '#d', self: false }, false],
    ['error', { type: 'error', time: T, text: 'x', code: '401', conversation: null }, false],
    ['lag', { type: 'lag', ms: 5 }, false],
  ];
  for (const [name, event, expected] of cases) {
    test(name, () => assert.equal(wantsBell(event, 'me'), expected));
  }
});

describe('displayWidth', () => {
  const cases: readonly [text: string, cells: number][] = [
    ['', 0],
    ['abc', 3],
    ['héllo', 5],
    ['e\u0301', 1], // combining acute
    ['古', 2],
    ['你好', 4],
    ['Ａ', 2], // fullwidth
    ['ｱ', 1], // halfwidth katakana
    ['👍', 2],
    ['👨‍👩‍👧', 2], // ZWJ family
    ['🇫🇷', 2], // flag
    ['a古👍', 5],
    ['\u200b', 0], // zero-width space
    [`${ESC}[1;38;5;196mab${RESET}`, 2],
    ['#lobby [3]', 10],
  ];
  for (const [text, cells] of cases) {
    test(JSON.stringify(text), () => assert.equal(displayWidth(text), cells));
  }

  test('SGR codes from formatEvent take no cells', () => {
    const on = formatEvent(msg({ text: '\x02你好\x02 👍' }), ON);
    const off = formatEvent(msg({ text: '\x02你好\x02 👍' }), OFF);
    assert.ok(on !== null && off !== null);
    assert.equal(displayWidth(on), displayWidth(off));
    assert.equal(displayWidth(off), 17 + 4 + 1 + 2); // '12:00:01 <alice> ', 你好, ' ', 👍
  });
});
