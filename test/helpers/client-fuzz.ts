// Random remote text (controls, escapes, IRC formatting, CJK, emoji, combining marks, RTL) and what a client does with it, for fuzzing the client's drawing.
import fc from 'fast-check';
import type { SessionEvent } from '../../src/client/events.js';

/** Pieces of remote text that have broken terminals and layouts before, and IRC formatting. */
const NASTY = [
  ...['\x1b[2J', '\x1b[31m', '\x1b[0m', '\x1b[?1049l', '\x1b[10;10H', '\x1b[6n', '\x1b[', '\x1b'],
  ...[
    '\x1b]0;owned\x07',
    '\x1b]8;;http://x\x1b\\',
    '\x1bP1$r\x1b\\',
    '\x1bc',
    '\x1b(0',
    '\x1b[1;2;3',
  ],
  ...[
    '\x9b2J',
    '\x9d0;t\x9c',
    '\x90q\x9c',
    '\x07',
    '\x08',
    '\r',
    '\n',
    '\t',
    '\x00',
    '\x7f',
    '\x85',
  ],
  ...['\u202e', '\u2066', '\u2069', '\u200b', '\u200d', '\ufeff', '\u00ad', '\ufe0f', '\u061c'],
  ...[
    '\x02',
    '\x03',
    '\x034,12',
    '\x0399,99',
    '\x03,5',
    '\x041f2e3d',
    '\x0f',
    '\x16',
    '\x1d',
    '\x1e',
  ],
  ...[
    '\x1f',
    '\x11',
    '世界',
    'ＡＢ',
    '🙂',
    '👩‍💻',
    '🇫🇷',
    '👍🏽',
    'e\u0301',
    'a\u0300\u0301\u0302\u0303\u0304',
  ],
  ...[
    'שלום',
    'مرحبا',
    '❤️',
    '\u3000',
    'ｶﾞ',
    '각',
    '\u0e01\u0e33',
    '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}',
  ],
  ...['https://example.com/a/very/long/path?with=query&and=more', 'x'.repeat(90), ' ', '  '],
];

export const text = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
      { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
    ),
    { maxLength: 14 },
  )
  .map((parts) => parts.join(''));
export const nick = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('alice', 'bob', 'me') },
  { weight: 1, arbitrary: text },
);
export const channel = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('#lobby', '#dev') },
  { weight: 1, arbitrary: text.map((t) => '#' + t) },
);
export const time = fc.integer({ min: 1_700_000_000_000, max: 1_700_000_900_000 });
export const b = fc.boolean();

export const event: fc.Arbitrary<SessionEvent> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant('message' as const),
      time,
      kind: fc.constantFrom('privmsg' as const, 'action' as const, 'notice' as const),
      from: nick,
      target: fc.oneof(channel, nick),
      conversation: fc.oneof(channel, nick),
      text,
      self: b,
      private: b,
      highlight: b,
      history: b,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant('join' as const), time, nick, channel, self: b }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('part' as const),
      time,
      nick,
      channel,
      reason: text,
      self: b,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('kick' as const),
      time,
      by: nick,
      nick,
      channel,
      reason: text,
      self: b,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('quit' as const),
      time,
      nick,
      reason: text,
      channels: fc.constant<string[]>([]),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('nick' as const),
      time,
      from: nick,
      to: nick,
      self: b,
      channels: fc.constant<string[]>([]),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('topic' as const),
      time,
      channel,
      topic: text,
      by: fc.option(nick),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('mode' as const),
      time,
      target: fc.oneof(channel, nick),
      by: nick,
      modes: fc.array(text, { maxLength: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('away' as const),
      time,
      nick,
      message: fc.option(text),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant('invite' as const), time, from: nick, channel }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('info' as const),
      time,
      text,
      conversation: fc.option(channel),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('error' as const),
      time,
      text,
      code: fc.constant('401'),
      conversation: fc.option(channel),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('state' as const),
      state: fc.constantFrom('disconnected' as const, 'reconnecting' as const),
      reason: text,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('registered' as const),
      nick,
      server: text,
      network: fc.option(text),
    }),
  },
);

export type Op =
  | { t: 'line'; event: SessionEvent; window: number; unread: boolean; placed: boolean }
  | { t: 'size'; columns: number; rows: number }
  | { t: 'key'; name: 'pageup' | 'pagedown' | 'escape' }
  | { t: 'find'; text: string }
  | { t: 'nicklist' }
  | { t: 'show'; window: number }
  | { t: 'input'; text: string; cursor: number };

export const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('line' as const),
      event,
      window: fc.nat(3),
      unread: b,
      placed: b,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('size' as const),
      columns: fc.integer({ min: 1, max: 150 }),
      rows: fc.integer({ min: 1, max: 50 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('key' as const),
      name: fc.constantFrom('pageup' as const, 'pagedown' as const, 'escape' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('find' as const),
      text: fc.constantFrom('a', 'x', '世', 'alice', 'zzz'),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'nicklist' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('show' as const), window: fc.nat(3) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('input' as const),
      text: fc.string({ unit: 'grapheme', maxLength: 120 }),
      cursor: fc.nat(200),
    }),
  },
);
