// sanitize against terminal injection and IRC formatting, and properties of formatEvent and sanitize over hostile text.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ChatMessage, SessionEvent } from '../../src/client/events.js';
import { formatEvent, sanitize } from '../../src/client/ui/format.js';
import { ESC, RESET, T, assertSafe, strip } from './format-kit.js';

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
