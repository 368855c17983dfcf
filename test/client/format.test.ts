// Table-driven tests for formatEvent without colour: the exact line each kind of event becomes.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionEvent } from '../../src/client/events.js';
import { formatEvent, type FormatOptions } from '../../src/client/ui/format.js';
import { OFF, T, incoming, msg, outgoing } from './format-kit.js';

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
