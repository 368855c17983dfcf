// Table-driven tests for parseInput: plain lines, @targets, // escapes, every command, aliases and usage errors.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMMANDS,
  NO_CONVERSATION,
  findCommand,
  helpLines,
  parseInput,
  type InputAction,
  type InputContext,
} from '../../src/client/input.js';

const IN_CHANNEL: InputContext = { current: '#lobby' };
const IN_QUERY: InputContext = { current: 'alice' };
const NOWHERE: InputContext = { current: null };

const say = (target: string, text: string, switchTo: string | null = null): InputAction => ({
  kind: 'say',
  target,
  text,
  switchTo,
});
const err = (message: string): InputAction => ({ kind: 'error', message });
const usage = (name: string): InputAction => {
  const spec = findCommand(name);
  assert.ok(spec, name);
  return err(`Usage: ${spec.usage}`);
};
const unknown = (name: string): InputAction =>
  err(`Unknown command ${name} — /help lists commands`);
const AT_USAGE = err('Usage: @nick[,nick|#channel...] <text>');
const badAt = (t: string): InputAction =>
  err(`Not a nick or channel: "${t}" (start with @@ to send a line beginning with @)`);
const EMPTY_COMMAND = err(
  'Empty command — /help lists commands; //text sends a line starting with /',
);
const LINE_BREAK = err('Input holds a line break or NUL; send one line at a time');

type Case = readonly [line: string, ctx: InputContext, expected: InputAction];

function table(name: string, cases: readonly Case[]): void {
  describe(name, () => {
    for (const [line, ctx, expected] of cases) {
      test(`${JSON.stringify(line)} in ${ctx.current ?? 'nowhere'}`, () => {
        assert.deepEqual(parseInput(line, ctx), expected);
      });
    }
  });
}

table('plain lines', [
  ['hello', IN_CHANNEL, say('#lobby', 'hello')],
  ['hello', IN_QUERY, say('alice', 'hello')],
  ['hello', NOWHERE, err(NO_CONVERSATION)],
  ['', IN_CHANNEL, { kind: 'none' }],
  ['', NOWHERE, { kind: 'none' }],
  ['   ', IN_CHANNEL, { kind: 'none' }],
  ['\t \u3000', IN_CHANNEL, { kind: 'none' }],
  // sent exactly as typed: leading, inner and trailing spaces kept
  ['  indented  text  ', IN_CHANNEL, say('#lobby', '  indented  text  ')],
  ['héllo wörld 你好 👋', IN_CHANNEL, say('#lobby', 'héllo wörld 你好 👋')],
  ['\x02bold\x02 and \x0304red', IN_CHANNEL, say('#lobby', '\x02bold\x02 and \x0304red')],
  ['a/b is not a command', IN_CHANNEL, say('#lobby', 'a/b is not a command')],
  ['email me@example.com', IN_CHANNEL, say('#lobby', 'email me@example.com')],
  // CR, LF and NUL would end or split the IRC line
  ['hi\r\nQUIT', IN_CHANNEL, LINE_BREAK],
  ['hi\nthere', IN_CHANNEL, LINE_BREAK],
  ['hi\0', IN_CHANNEL, LINE_BREAK],
  ['/quote PRIVMSG #a :x\r\nQUIT', IN_CHANNEL, LINE_BREAK],
]);

table('// escape', [
  ['//text', IN_CHANNEL, say('#lobby', '/text')],
  ['//', IN_CHANNEL, say('#lobby', '/')],
  ['//join #dev', IN_QUERY, say('alice', '/join #dev')],
  ['///triple', IN_CHANNEL, say('#lobby', '//triple')],
  ['// spaced ', IN_CHANNEL, say('#lobby', '/ spaced ')],
  ['//text', NOWHERE, err(NO_CONVERSATION)],
]);

table('@ targets', [
  ['@bob hi', IN_CHANNEL, say('bob', 'hi')],
  ['@bob hi', NOWHERE, say('bob', 'hi')],
  ['@bob   hi  there  ', IN_CHANNEL, say('bob', 'hi  there')],
  ['@bob\thi', IN_CHANNEL, say('bob', 'hi')],
  ['@bob,carol hi', IN_CHANNEL, say('bob,carol', 'hi')],
  ['@bob,#dev hi', IN_CHANNEL, say('bob,#dev', 'hi')],
  ['@#dev hi all', IN_QUERY, say('#dev', 'hi all')],
  ['@[bot]|x hi', IN_CHANNEL, say('[bot]|x', 'hi')],
  ['@Zoë héllo 你好', IN_CHANNEL, say('Zoë', 'héllo 你好')],
  ['  @bob hi', IN_CHANNEL, say('bob', 'hi')],
  // no text
  ['@bob', IN_CHANNEL, AT_USAGE],
  ['@bob   ', IN_CHANNEL, AT_USAGE],
  // "@" without a target is plain text
  ['@', IN_CHANNEL, say('#lobby', '@')],
  ['@ 5pm?', IN_CHANNEL, say('#lobby', '@ 5pm?')],
  ['@', NOWHERE, err(NO_CONVERSATION)],
  // @@ escapes a leading @
  ['@@bob hi', IN_CHANNEL, say('#lobby', '@bob hi')],
  ['@@', IN_CHANNEL, say('#lobby', '@')],
  // not a nick or channel: an error, never a guess
  ['@5pm works', IN_CHANNEL, badAt('5pm')],
  ['@bob: hi', IN_CHANNEL, badAt('bob:')],
  ['@bob. hi', IN_CHANNEL, badAt('bob.')],
  ['@-x hi', IN_CHANNEL, badAt('-x')],
  ['@bob,,carol hi', IN_CHANNEL, badAt('')],
  ['@bob, hi', IN_CHANNEL, badAt('')],
  ['@# hi', IN_CHANNEL, badAt('#')],
  ['@#a:b hi', IN_CHANNEL, badAt('#a:b')],
  ['@bo\x1b[2Jb hi', IN_CHANNEL, badAt('bo[2Jb')],
]);

table('command dispatch', [
  ['/', IN_CHANNEL, EMPTY_COMMAND],
  ['/ text', IN_CHANNEL, EMPTY_COMMAND],
  ['/foo', IN_CHANNEL, unknown('/foo')],
  ['/foo bar baz', NOWHERE, unknown('/foo')],
  ['/usr/bin/env', IN_CHANNEL, unknown('/usr/bin/env')],
  ['/\x1b[31mx', IN_CHANNEL, unknown('/[31mx')],
  // names are case-insensitive; leading and trailing whitespace is fine
  ['/MSG bob hi', IN_CHANNEL, say('bob', 'hi')],
  ['/Me waves', IN_CHANNEL, { kind: 'action', target: '#lobby', text: 'waves' }],
  ['   /quit   ', IN_CHANNEL, { kind: 'quit', reason: null }],
  ['/quit\tbye now\t', IN_CHANNEL, { kind: 'quit', reason: 'bye now' }],
]);

table('/msg', [
  ['/msg bob hi there', IN_CHANNEL, say('bob', 'hi there')],
  ['/msg bob    hi   there   ', IN_CHANNEL, say('bob', 'hi   there')],
  ['/msg bob,carol hi', NOWHERE, say('bob,carol', 'hi')],
  ['/msg bob,#dev hi', IN_QUERY, say('bob,#dev', 'hi')],
  ['/m bob hi', IN_CHANNEL, say('bob', 'hi')],
  ['/msg NickServ IDENTIFY pw', IN_CHANNEL, say('NickServ', 'IDENTIFY pw')],
  ['/msg bob', IN_CHANNEL, usage('msg')],
  ['/msg', IN_CHANNEL, usage('msg')],
  ['/msg    ', IN_CHANNEL, usage('msg')],
  ['/msg 9lives hi', IN_CHANNEL, err('Not a nick or channel: "9lives"')],
]);

table('/query and /switch', [
  ['/query bob', IN_CHANNEL, { kind: 'query', nick: 'bob' }],
  ['/q bob', NOWHERE, { kind: 'query', nick: 'bob' }],
  ['/QUERY  bob  ', IN_CHANNEL, { kind: 'query', nick: 'bob' }],
  ['/query bob hi there', IN_CHANNEL, say('bob', 'hi there', 'bob')],
  ['/query', IN_CHANNEL, usage('query')],
  ['/query #dev', IN_CHANNEL, err('/query takes a nick; use /join #dev or /switch #dev')],
  ['/query bob,carol', IN_CHANNEL, err('Not a nick: "bob,carol"')],
  ['/switch #dev', IN_CHANNEL, { kind: 'switch', target: '#dev' }],
  ['/switch alice', NOWHERE, { kind: 'switch', target: 'alice' }],
  ['/sw #dev', IN_CHANNEL, { kind: 'switch', target: '#dev' }],
  ['/switch', IN_CHANNEL, usage('switch')],
  ['/switch #dev #ops', IN_CHANNEL, usage('switch')],
]);

table('/join', [
  ['/join #dev', NOWHERE, { kind: 'join', channels: ['#dev'], keys: [] }],
  ['/join dev', NOWHERE, { kind: 'join', channels: ['#dev'], keys: [] }],
  ['/j #dev', NOWHERE, { kind: 'join', channels: ['#dev'], keys: [] }],
  ['/JOIN   #dev   ', NOWHERE, { kind: 'join', channels: ['#dev'], keys: [] }],
  ['/join #a,b,&c', NOWHERE, { kind: 'join', channels: ['#a', '#b', '&c'], keys: [] }],
  ['/join #a,#b k1,k2', NOWHERE, { kind: 'join', channels: ['#a', '#b'], keys: ['k1', 'k2'] }],
  ['/join #secret key', IN_CHANNEL, { kind: 'join', channels: ['#secret'], keys: ['key'] }],
  ['/join #café', NOWHERE, { kind: 'join', channels: ['#café'], keys: [] }],
  ['/join', NOWHERE, usage('join')],
  ['/join #a key extra', NOWHERE, usage('join')],
  ['/join #a,,#b', NOWHERE, err('Not a channel name: ""')],
  ['/join #', NOWHERE, err('Not a channel name: "#"')],
  ['/join #a:b', NOWHERE, err('Not a channel name: "#a:b"')],
]);

test('/join: only the given chantypes count as prefixes', () => {
  assert.deepEqual(parseInput('/join &c', { current: null, chantypes: '#' }), {
    kind: 'join',
    channels: ['#&c'],
    keys: [],
  });
});

table('/part and /close', [
  ['/part', IN_CHANNEL, { kind: 'part', channel: '#lobby', reason: null }],
  ['/part see you', IN_CHANNEL, { kind: 'part', channel: '#lobby', reason: 'see you' }],
  ['/part #dev', IN_CHANNEL, { kind: 'part', channel: '#dev', reason: null }],
  [
    '/part #dev  gone  fishing ',
    IN_QUERY,
    { kind: 'part', channel: '#dev', reason: 'gone  fishing' },
  ],
  ['/leave', IN_CHANNEL, { kind: 'part', channel: '#lobby', reason: null }],
  ['/part', IN_QUERY, usage('part')],
  ['/part', NOWHERE, usage('part')],
  ['/part bye', IN_QUERY, usage('part')],
  ['/close', IN_CHANNEL, { kind: 'close', target: '#lobby' }],
  ['/close', IN_QUERY, { kind: 'close', target: 'alice' }],
  ['/wc #dev', IN_CHANNEL, { kind: 'close', target: '#dev' }],
  ['/close', NOWHERE, err(NO_CONVERSATION)],
  ['/close a b', IN_CHANNEL, usage('close')],
]);

table('/me', [
  ['/me waves', IN_CHANNEL, { kind: 'action', target: '#lobby', text: 'waves' }],
  ['/me  waves  hello ', IN_QUERY, { kind: 'action', target: 'alice', text: 'waves  hello' }],
  ['/me 🎉 célèbre', IN_CHANNEL, { kind: 'action', target: '#lobby', text: '🎉 célèbre' }],
  ['/me', IN_CHANNEL, usage('me')],
  ['/me waves', NOWHERE, err(NO_CONVERSATION)],
]);

table('/nick, /whois, /who, /names, /list', [
  ['/nick alicia', IN_CHANNEL, { kind: 'nick', nick: 'alicia' }],
  ['/nick', IN_CHANNEL, usage('nick')],
  ['/nick a b', IN_CHANNEL, usage('nick')],
  ['/nick #x', IN_CHANNEL, err('Not a nick: "#x"')],
  ['/nick 1x', IN_CHANNEL, err('Not a nick: "1x"')],
  ['/whois bob', NOWHERE, { kind: 'whois', nick: 'bob' }],
  ['/wi bob', NOWHERE, { kind: 'whois', nick: 'bob' }],
  ['/whois', NOWHERE, usage('whois')],
  ['/whois a b', NOWHERE, usage('whois')],
  ['/who #dev', NOWHERE, { kind: 'who', mask: '#dev' }],
  ['/who *.example.org', NOWHERE, { kind: 'who', mask: '*.example.org' }],
  ['/who', IN_CHANNEL, { kind: 'who', mask: '#lobby' }],
  ['/who', IN_QUERY, usage('who')],
  ['/names', IN_CHANNEL, { kind: 'names', channel: '#lobby' }],
  ['/names #dev', IN_QUERY, { kind: 'names', channel: '#dev' }],
  ['/names', NOWHERE, usage('names')],
  ['/list', NOWHERE, { kind: 'list', args: null }],
  ['/list #a,#b', NOWHERE, { kind: 'list', args: '#a,#b' }],
  ['/list >10', NOWHERE, { kind: 'list', args: '>10' }],
]);

table('/topic', [
  ['/topic', IN_CHANNEL, { kind: 'topic', channel: '#lobby', topic: null }],
  ['/topic #dev', IN_CHANNEL, { kind: 'topic', channel: '#dev', topic: null }],
  ['/topic #dev new topic', IN_QUERY, { kind: 'topic', channel: '#dev', topic: 'new topic' }],
  ['/topic Welcome all!', IN_CHANNEL, { kind: 'topic', channel: '#lobby', topic: 'Welcome all!' }],
  ['/t  spaced   out ', IN_CHANNEL, { kind: 'topic', channel: '#lobby', topic: 'spaced   out' }],
  ['/topic', IN_QUERY, usage('topic')],
  ['/topic hello', NOWHERE, usage('topic')],
]);

table('/away, /back', [
  ['/away lunch', IN_CHANNEL, { kind: 'away', message: 'lunch' }],
  ['/away  out  for lunch ', IN_CHANNEL, { kind: 'away', message: 'out  for lunch' }],
  ['/away', IN_CHANNEL, { kind: 'away', message: null }],
  ['/back', NOWHERE, { kind: 'away', message: null }],
  ['/back now', NOWHERE, usage('back')],
]);

table('/quote, /quit', [
  ['/quote MODE #dev +o bob', NOWHERE, { kind: 'quote', line: 'MODE #dev +o bob' }],
  ['/raw PING :x  y', NOWHERE, { kind: 'quote', line: 'PING :x  y' }],
  ['/quote', NOWHERE, usage('quote')],
  ['/quit', IN_CHANNEL, { kind: 'quit', reason: null }],
  ['/quit gone for good', IN_CHANNEL, { kind: 'quit', reason: 'gone for good' }],
  ['/exit', NOWHERE, { kind: 'quit', reason: null }],
  ['/EXIT bye', NOWHERE, { kind: 'quit', reason: 'bye' }],
]);

describe('/help', () => {
  test('without a command lists every command and alias', () => {
    const action = parseInput('/help', NOWHERE);
    assert.equal(action.kind, 'help');
    if (action.kind !== 'help') return;
    const text = action.lines.join('\n');
    for (const c of COMMANDS) {
      assert.ok(text.includes(c.usage), c.usage);
      for (const a of c.aliases) assert.ok(text.includes(`/${a}`), a);
    }
    assert.ok(text.includes('@nick'));
    assert.ok(text.includes('//text'));
    // A wrapped description goes on under the descriptions' column.
    const row = action.lines.find((l) => l.startsWith('  /nick '))!;
    assert.equal(row.slice(action.hang), 'Change your nick');
  });

  const one: readonly [line: string, name: string][] = [
    ['/help msg', 'msg'],
    ['/help /msg', 'msg'],
    ['/help M', 'msg'],
    ['/help exit', 'quit'],
    ['/HELP Join', 'join'],
  ];
  for (const [line, name] of one) {
    test(line, () => {
      const spec = findCommand(name);
      assert.ok(spec);
      assert.deepEqual(parseInput(line, NOWHERE), {
        kind: 'help',
        lines: helpLines(spec),
        hang: 2,
      });
    });
  }

  test('one command shows usage, help and aliases', () => {
    const spec = findCommand('quit');
    assert.ok(spec);
    assert.deepEqual(helpLines(spec), [
      '/quit [reason]',
      '  Disconnect and leave parley',
      '  Also: /exit',
    ]);
  });

  test('unknown command', () => {
    assert.deepEqual(parseInput('/help nope', NOWHERE), unknown('/nope'));
    assert.deepEqual(parseInput('/help a b', NOWHERE), usage('help'));
  });
});

describe('COMMANDS table', () => {
  test('names and aliases are unique, lower case, without a slash', () => {
    const seen = new Set<string>();
    for (const c of COMMANDS) {
      for (const n of [c.name, ...c.aliases]) {
        assert.match(n, /^[a-z]+$/);
        assert.ok(!seen.has(n), `duplicate ${n}`);
        seen.add(n);
      }
    }
  });

  test('every usage starts with its own /name and every command is reachable', () => {
    for (const c of COMMANDS) {
      assert.ok(c.usage.startsWith(`/${c.name}`), c.usage);
      assert.equal(findCommand(c.name), c);
      assert.equal(findCommand(`/${c.name.toUpperCase()}`), c);
      for (const a of c.aliases) assert.equal(findCommand(a), c);
    }
  });

  test('every command with required arguments answers its usage line when they are missing', () => {
    for (const c of COMMANDS.filter((c) => c.minArgs > 0)) {
      assert.deepEqual(parseInput(`/${c.name}`, IN_CHANNEL), err(`Usage: ${c.usage}`), c.name);
    }
  });

  test('the brief’s commands are all present', () => {
    const wanted = ['msg', 'query', 'switch', 'join', 'part', 'me', 'nick', 'who', 'names', 'list'];
    wanted.push('topic', 'away', 'back', 'whois', 'quote', 'raw', 'help', 'quit', 'exit', 'close');
    for (const n of wanted) assert.ok(findCommand(n), n);
  });
});
