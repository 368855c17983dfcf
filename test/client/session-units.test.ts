// The session's pure parts, table-driven: backoff, splitting and budgets, JOIN lists, nick alternatives, ERROR reasons, mentions, reply texts, channel state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, DEFAULT_RECONNECT } from '../../src/client/reconnect.js';
import {
  alternativeNick,
  chunkTargets,
  joinLines,
  messageLines,
  parseCtcp,
  sanitizeNick,
  splitText,
  targetList,
  textBudget,
  textLines,
} from '../../src/client/outgoing.js';
import { closingReason } from '../../src/client/registration.js';
import { mentions } from '../../src/client/incoming.js';
import { describeReply } from '../../src/client/replies.js';
import { ClientState } from '../../src/client/state.js';
import { fold } from '../../src/protocol/index.js';

test('backoff: doubles from initialMs, capped at maxMs, jitter within ±30 %', () => {
  const p = DEFAULT_RECONNECT;
  const mid = () => 0.5; // no jitter
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(n, p, mid)),
    [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
  );
  assert.equal(
    backoffDelay(1, p, () => 0),
    700,
  );
  assert.equal(
    backoffDelay(1, p, () => 0.999999),
    1300,
  );
  assert.equal(
    backoffDelay(10, p, () => 0.999999),
    30000,
    'jitter never passes the cap',
  );
  assert.equal(
    backoffDelay(10, p, () => 0),
    21000,
  );
  for (let k = 0; k < 200; k++) {
    const d = backoffDelay(3, p);
    assert.ok(d >= 2800 && d <= 5200, String(d));
  }
});

test('splitText: pieces within the byte budget, on character boundaries, rejoining to the text', () => {
  const cases: Array<[string, number]> = [
    ['a'.repeat(1000), 100],
    ['é'.repeat(333), 99], // 2-byte characters, odd budget
    ['日本語'.repeat(100), 100], // 3-byte
    ['🎉'.repeat(100), 101], // 4-byte (surrogate pairs)
    ['word '.repeat(100), 64], // prefers to cut after a space
    ['short', 100],
    ['', 100],
  ];
  for (const [text, budget] of cases) {
    const parts = splitText(text, budget);
    assert.equal(parts.join(''), text);
    for (const p of parts) {
      assert.ok(Buffer.byteLength(p) <= budget, `${Buffer.byteLength(p)} > ${budget}`);
      assert.ok(!/[\ud800-\udbff]$/.test(p) && !/^[\udc00-\udfff]/.test(p), 'no split surrogate');
    }
  }
  assert.ok(splitText('word '.repeat(100), 64).every((p) => p.endsWith(' ')));
  assert.deepEqual(splitText('x', 1), ['x'], 'a budget below 4 still makes progress');
});

test('textBudget: the relayed line (:nick!~user@64-byte host PRIVMSG target :) fits in 512', () => {
  const sender = { nick: 'alice', user: 'alice', host: null };
  const budget = textBudget(sender, 'PRIVMSG', ['#lobby']);
  const relayed = `:alice!~alice@${'h'.repeat(64)} PRIVMSG #lobby :`;
  assert.equal(budget, 510 - Buffer.byteLength(relayed));
  // Our own line with a long target list can be the longer one.
  const many = Array.from({ length: 10 }, (_, k) => `someone${k}`);
  const own = `PRIVMSG ${many.join(',')} :`;
  const longRelay = `:alice!~alice@${'h'.repeat(64)} PRIVMSG someone0 :`;
  assert.equal(
    textBudget(sender, 'PRIVMSG', many),
    510 - Math.max(Buffer.byteLength(own), Buffer.byteLength(longRelay)),
  );
  assert.equal(textBudget(sender, 'PRIVMSG', ['#lobby'], 9), budget - 9);
});

test('messageLines: targets grouped by TARGMAX, text split, ACTION wrapped per piece', () => {
  const sender = { nick: 'alice', user: 'alice', host: 'h' };
  const lines = messageLines('PRIVMSG', false, ['a', 'b', 'c', 'd', 'e'], ['hi'], sender, 2);
  assert.deepEqual(
    lines.map((l) => l.line),
    ['PRIVMSG a,b hi', 'PRIVMSG c,d hi', 'PRIVMSG e hi'],
  );
  const act = messageLines('PRIVMSG', true, ['#c'], ['x'.repeat(900)], sender, 4);
  assert.ok(act.length >= 2);
  for (const l of act) {
    assert.match(l.line, /^PRIVMSG #c :\x01ACTION x+\x01$/);
    assert.ok(Buffer.byteLength(`:alice!~alice@${'h'.repeat(64)} ${l.line}\r\n`) <= 512);
  }
});

test('targetList, chunkTargets, textLines', () => {
  assert.deepEqual(
    targetList('bob,,Carol, BOB ,#x', (s) => fold(s)),
    ['bob', 'Carol', '#x'],
  );
  assert.deepEqual(
    targetList(['a,b', 'c'], (s) => s),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(chunkTargets([1, 2, 3], Infinity), [[1, 2, 3]]);
  assert.deepEqual(chunkTargets([1, 2, 3], 2), [[1, 2], [3]]);
  assert.deepEqual(textLines('one\r\ntwo\n\nthree\rfour\0'), ['one', 'two', 'three', 'four']);
});

test('joinLines: keyed channels first, keys paired by position, lists cut by count', () => {
  assert.deepEqual(
    joinLines(
      [{ name: '#a' }, { name: '#b', key: 'kb' }, { name: '#c' }, { name: '#d', key: 'kd' }],
      10,
    ),
    ['JOIN #b,#d,#a,#c kb,kd'],
  );
  assert.deepEqual(joinLines([{ name: '#a' }, { name: '#b' }, { name: '#c' }], 2), [
    'JOIN #a,#b',
    'JOIN #c',
  ]);
  assert.deepEqual(joinLines([], 4), []);
  const many = Array.from({ length: 100 }, (_, k) => ({ name: `#channel-number-${k}` }));
  for (const line of joinLines(many, Infinity)) assert.ok(Buffer.byteLength(line) < 510);
});

test('alternativeNick and sanitizeNick', () => {
  const r = () => 0.123;
  assert.deepEqual(
    [1, 2, 3, 4].map((k) => alternativeNick('alice', k, r, null)),
    ['alice_', 'alice__', 'alice123', 'alice123'],
  );
  assert.equal(alternativeNick('averyverylongnick', 3, r, 16), 'averyverylong123');
  assert.equal(alternativeNick('averyverylongnick', 4, r, null), 'averyv123');
  assert.equal(sanitizeNick('1up'), '_1up');
  assert.equal(sanitizeNick('bad nick!'), 'badnick');
  assert.equal(sanitizeNick('ünï'), 'n');
  assert.equal(sanitizeNick('%%%'), 'parley');
});

test('closingReason: the reason inside the usual ERROR shapes', () => {
  const cases: Array<[string, string]> = [
    ['Closing link: server full', 'server full'],
    ['Closing link: alice[x-1.parley] (Bad password)', 'Bad password'],
    ['Closing link: alice[x-1.parley] (Ping timeout: 120 seconds)', 'Ping timeout: 120 seconds'],
    ['Closing link: (alice@127.0.0.1) [Server shutting down]', 'Server shutting down'],
    ['Closing Link: 127.0.0.1 (Excess Flood)', 'Excess Flood'],
    ['"bye"', '"bye"'],
    ['Server shutting down', 'Server shutting down'],
    ['', 'closed by the server'],
  ];
  for (const [text, want] of cases) assert.equal(closingReason(text), want, text);
});

test('mentions: our nick as a whole word, case-insensitively with the case mapping', () => {
  const f = (s: string) => fold(s, 'rfc1459');
  const yes = ['alice', 'hi Alice', 'ALICE: look', '@alice!', 'hey alice, you', '(alice)'];
  const no = ['malice', 'alice_', 'alice2', 'alicex', 'al ice', ''];
  for (const t of yes) assert.ok(mentions(t, 'alice', f), t);
  for (const t of no) assert.ok(!mentions(t, 'alice', f), t);
  assert.ok(mentions('ping {bob}', '[bob]', f), 'rfc1459 folds [] to {}');
  assert.ok(!mentions('anything', '', f));
});

test('parseCtcp', () => {
  assert.deepEqual(parseCtcp('\x01ACTION waves\x01'), { command: 'ACTION', args: 'waves' });
  assert.deepEqual(parseCtcp('\x01version\x01'), { command: 'VERSION', args: '' });
  assert.deepEqual(parseCtcp('\x01PING 123'), { command: 'PING', args: '123' });
  assert.equal(parseCtcp('plain'), null);
  assert.equal(parseCtcp('\x01'), null);
  assert.equal(parseCtcp('\x01\x01'), null);
});

test('describeReply: readable lines for informational numerics and refusals', () => {
  const cases: Array<[string, string[], string, boolean, string | null]> = [
    ['311', ['bob', '~bob', 'host', '*', 'Bob Smith'], 'bob is ~bob@host (Bob Smith)', false, null],
    ['312', ['bob', 'irc.x', 'The X server'], 'bob is on irc.x (The X server)', false, null],
    ['317', ['bob', '65', '0', 'seconds idle'], 'bob has been idle 1m 5s', false, null],
    ['319', ['bob', '@#a +#b'], 'bob is on @#a +#b', false, null],
    ['301', ['bob', 'at lunch'], 'bob is away: at lunch', false, null],
    [
      '305',
      ['You are no longer marked as being away'],
      'You are no longer marked as being away',
      false,
      null,
    ],
    ['352', ['#c', '~u', 'h', 's', 'bob', 'H@', '0 Bob S'], '#c bob H@ ~u@h (Bob S)', false, null],
    ['322', ['#c', '5', 'the topic'], '#c (5 users): the topic', false, null],
    ['322', ['#c', '1', ''], '#c (1 user)', false, null],
    ['322', ['#c', '0'], '#c (0 users)', false, null],
    ['372', ['- hello'], '- hello', false, null],
    ['705', ['*', 'PRIVMSG <target> <text>'], 'PRIVMSG <target> <text>', false, null],
    [
      '317',
      ['bob', '5', '1700000000', 'x'],
      'bob has been idle 5s, signed on 2023-11-14 22:13:20 UTC',
      false,
      null,
    ],
    ['324', ['#c', '+nt'], 'Mode of #c: +nt', false, '#c'],
    ['401', ['bob', 'No such nick/channel'], 'No such nick: bob', true, null],
    [
      '404',
      ['#c', 'Cannot send to channel'],
      'Cannot send to #c: Cannot send to channel',
      true,
      '#c',
    ],
    [
      '475',
      ['#c', 'Cannot join channel (+k)'],
      'Cannot join #c: wrong or missing key (+k)',
      true,
      '#c',
    ],
    ['441', ['bob', '#c', "They aren't on that channel"], 'bob is not on #c', true, '#c'],
    ['499', ['x', 'y', 'Some refusal'], 'Some refusal: x y', true, null],
    ['250', ['Highest connection count: 1'], 'Highest connection count: 1', false, null],
    [
      '265',
      ['1', '10', 'Current local users 1, max 10'],
      'Current local users 1, max 10',
      false,
      null,
    ],
  ];
  for (const [code, params, text, error, channel] of cases) {
    assert.deepEqual(describeReply(code, params), { text, error, channel }, code);
  }
  for (const code of ['005', '353', '366', '332']) assert.equal(describeReply(code, ['x']), null);
  assert.deepEqual(describeReply('311', []), { text: '? is ?@? ()', error: false, channel: null });
});

test('ClientState: ISUPPORT, NAMES with multi-prefix, MODE status changes, case mapping changes', () => {
  const st = new ClientState();
  assert.equal(st.casemapping, 'rfc1459');
  st.applyIsupport([
    'PREFIX=(qov)~@+',
    'CHANTYPES=#+',
    'TARGMAX=PRIVMSG:3,JOIN:',
    'NETWORK=Net',
    'NICKLEN=12',
  ]);
  assert.deepEqual(
    [st.maxTargets('PRIVMSG'), st.maxTargets('JOIN'), st.maxTargets('NOTICE')],
    [3, Infinity, 4],
  );
  assert.equal(st.network, 'Net');
  assert.equal(st.nickLen, 12);
  assert.ok(st.isChannel('+chan') && !st.isChannel('&chan'));
  assert.equal(st.stripStatus('@#c'), '#c');
  assert.equal(st.stripStatus('@bob'), '@bob');

  st.joined('#C[1]', 'me', true);
  st.namesLine('#c{1}', ['~@Owner', '+voice!v@host', 'me']);
  const done = st.namesEnd('#C[1]');
  assert.deepEqual(done?.members, [
    { nick: 'Owner', prefix: '~@' },
    { nick: 'voice', prefix: '+' },
    { nick: 'me', prefix: '' },
  ]);
  st.channelModes('#c[1]', '+o-v+k', ['voice', 'VOICE', 'key']);
  assert.equal(st.members('#c[1]').find((m) => m.nick === 'voice')?.prefix, '@');
  st.channelModes('#c[1]', '-q+b', ['owner', '*!*@x']);
  assert.equal(st.members('#c[1]').find((m) => m.nick === 'Owner')?.prefix, '@');

  // CASEMAPPING=ascii arrives later: [ and { are different from now on, and lookups still work.
  st.applyIsupport(['CASEMAPPING=ascii']);
  assert.ok(st.hasChannel('#c[1]'));
  assert.ok(!st.hasChannel('#c{1}'));
  assert.deepEqual(st.renamed('OWNER', 'Boss'), ['#C[1]']);
  assert.deepEqual(st.quit('boss'), ['#C[1]']);
  st.left('#c[1]', 'me', true);
  assert.deepEqual(st.channelNames, []);
  assert.equal(st.namesEnd('#nothing'), null);
});
