// formatEvent with colour, and nickColor, mentions, wantsBell and displayWidth.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionEvent } from '../../src/client/events.js';
import {
  NICK_PALETTE,
  displayWidth,
  formatEvent,
  mentions,
  nickColor,
  wantsBell,
  type FormatOptions,
} from '../../src/client/ui/format.js';
import {
  ESC,
  OFF,
  ON,
  RESET,
  T,
  assertSafe,
  incoming,
  msg,
  outgoing,
  strip,
} from './format-kit.js';

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
