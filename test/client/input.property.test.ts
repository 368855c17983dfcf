// Fuzzing the client's input parser and line renderer: no typed line can inject a second IRC line, and no network text reaches the terminal as a control sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { SessionEvent } from '../../src/client/events.js';
import { COMMANDS, parseInput } from '../../src/client/input.js';
import { formatEvent } from '../../src/client/ui/format.js';

const RUNS = Number(process.env.PARLEY_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? 42);

/** Strings biased toward what breaks things: controls, escapes, bidi, line breaks, wide text. */
const nasty = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: fc.constantFrom(' ', ':', ',', '#', '/', '@', '\x01') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '\x1b',
        '\x1b[2J',
        '\x1b]0;title\x07',
        '\x9b31m',
        '\x07',
        '\r',
        '\n',
        '\0',
        '\x7f',
        '\x85',
        '\u202e',
        '\u2067',
        '\u200f',
        '\x03',
        '\x034,5',
        '\x02',
        '\x0f',
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 60,
});

const commandWord = fc.constantFrom(
  ...COMMANDS.flatMap((c) => [c.name, ...c.aliases]).map((n) => '/' + n),
  '//',
  '/',
  '/nosuch',
);

const typed = fc.oneof(
  nasty,
  fc.tuple(commandWord, nasty).map(([c, rest]) => `${c} ${rest}`),
);

/** Every string inside an action: none may carry a line break or NUL into an IRC line. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

test('fuzz: no typed line makes an action carrying CR, LF or NUL, and names never hold spaces', () => {
  fc.assert(
    fc.property(typed, fc.option(fc.constantFrom('#lobby', 'bob')), (line, current) => {
      const action = parseInput(line, { current, chantypes: '#&' });
      for (const s of strings(action)) {
        if (action.kind === 'error' || action.kind === 'help') continue;
        assert.ok(!/[\r\n\0]/.test(s), `${JSON.stringify(line)} gave ${JSON.stringify(action)}`);
      }
      const names: string[] = [];
      if (action.kind === 'say' || action.kind === 'action') names.push(action.target);
      if (action.kind === 'join') names.push(...action.channels);
      if (action.kind === 'part' || action.kind === 'names') names.push(action.channel);
      if (action.kind === 'query' || action.kind === 'whois' || action.kind === 'nick')
        names.push(action.kind === 'query' || action.kind === 'whois' ? action.nick : action.nick);
      for (const n of names) {
        assert.ok(!/\s/.test(n) && n !== '', `${JSON.stringify(line)}: name ${JSON.stringify(n)}`);
      }
    }),
    { numRuns: RUNS * 10, seed: SEED },
  );
});

/** What may reach the terminal: printable text and, with colour on, whole SGR sequences only. */
function assertTerminalSafe(out: string, color: boolean, what: string): void {
  const bare = color ? out.replace(/\x1b\[[0-9;]*m/g, '') : out;
  // C0 and C1 controls, DEL, and bidi overrides and isolates (marks such as U+200F are kept:
  // right-to-left text needs them, and they cannot reorder a line beyond its neutrals).
  const bad = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/u.exec(bare);
  assert.equal(
    bad,
    null,
    `${what}: ${JSON.stringify(out)} holds U+${bad?.[0].codePointAt(0)?.toString(16)}`,
  );
}

const event: fc.Arbitrary<SessionEvent> = fc.oneof(
  fc.record({
    type: fc.constant('message' as const),
    time: fc.constant(0),
    kind: fc.constantFrom('privmsg' as const, 'notice' as const, 'action' as const),
    from: nasty,
    target: nasty,
    conversation: nasty,
    text: nasty,
    self: fc.boolean(),
    private: fc.boolean(),
    highlight: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('join' as const),
    time: fc.constant(0),
    nick: nasty,
    channel: nasty,
    self: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('part' as const),
    time: fc.constant(0),
    nick: nasty,
    channel: nasty,
    reason: nasty,
    self: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('quit' as const),
    time: fc.constant(0),
    nick: nasty,
    reason: nasty,
    channels: fc.array(nasty, { maxLength: 2 }),
  }),
  fc.record({
    type: fc.constant('topic' as const),
    time: fc.constant(0),
    channel: nasty,
    topic: nasty,
    by: fc.option(nasty),
  }),
  fc.record({
    type: fc.constant('info' as const),
    time: fc.constant(0),
    text: nasty,
    conversation: fc.option(nasty),
  }),
  fc.record({
    type: fc.constant('error' as const),
    time: fc.constant(0),
    text: nasty,
    code: fc.constantFrom('401', 'FAIL', 'ERROR'),
    conversation: fc.option(nasty),
  }),
  fc.record({
    type: fc.constant('nick' as const),
    time: fc.constant(0),
    from: nasty,
    to: nasty,
    self: fc.boolean(),
    channels: fc.array(nasty, { maxLength: 2 }),
  }),
  fc.record({
    type: fc.constant('names' as const),
    channel: nasty,
    nicks: fc.array(nasty, { maxLength: 3 }),
  }),
);

test('fuzz: whatever the network sends, a rendered line holds no control or bidi character outside SGR', () => {
  fc.assert(
    fc.property(event, fc.boolean(), (e, color) => {
      const out = formatEvent(e, { color, me: 'me', current: '#lobby', now: 0 });
      if (out !== null) assertTerminalSafe(out, color, e.type);
    }),
    { numRuns: RUNS * 10, seed: SEED },
  );
});
