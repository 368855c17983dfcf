// Table-driven unit tests for the IRC line grammar: one tiny case per corner of parse and serialize.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeTagValue,
  isParseError,
  parse,
  parseTags,
  serialize,
  serializeBody,
  serializeTags,
  unescapeTagValue,
  type Message,
  type ParseErrorKind,
  type ParseResult,
} from '../../src/protocol/index.js';

/** A plain-object view of a parse result, so tag order and values compare exactly. */
interface Plain {
  tags: [string, string][] | null;
  source: string | null;
  command: string;
  params: string[];
}

function plain(r: ParseResult): Plain | { error: ParseErrorKind } {
  if (isParseError(r)) return { error: r.error };
  return {
    tags: r.tags === null ? null : [...r.tags.entries()],
    source: r.source,
    command: r.command,
    params: r.params,
  };
}

function m(
  command: string,
  params: string[] = [],
  source: string | null = null,
  tags: [string, string][] | null = null,
): Plain {
  return { tags, source, command, params };
}

function message(
  command: string,
  params: string[] = [],
  source: string | null = null,
  tags: [string, string][] | null = null,
): Message {
  return { tags: tags === null ? null : new Map(tags), source, command, params };
}

type ParseCase = readonly [name: string, line: string, expected: Plain | { error: ParseErrorKind }];

const parseCases: readonly ParseCase[] = [
  // commands
  ['bare command', 'PING', m('PING')],
  ['lowercase command is upper-cased', 'privmsg #a :hi', m('PRIVMSG', ['#a', 'hi'])],
  ['mixed-case command is upper-cased', 'PrivMsg #a hi', m('PRIVMSG', ['#a', 'hi'])],
  [
    'numeric command',
    ':irc.example 001 alice :Welcome',
    m('001', ['alice', 'Welcome'], 'irc.example'),
  ],
  ['numeric 000', '000', m('000')],
  ['numeric 999', '999 x', m('999', ['x'])],
  // params
  ['no params', 'QUIT', m('QUIT')],
  ['one middle param', 'NICK alice', m('NICK', ['alice'])],
  ['several middle params', 'USER a 0 * b', m('USER', ['a', '0', '*', 'b'])],
  ['middle then trailing', 'PRIVMSG #a :hello world', m('PRIVMSG', ['#a', 'hello world'])],
  ['trailing only', 'QUIT :bye now', m('QUIT', ['bye now'])],
  ['empty trailing', 'TOPIC #a :', m('TOPIC', ['#a', ''])],
  ['trailing that is only a colon', 'PRIVMSG #a ::', m('PRIVMSG', ['#a', ':'])],
  ['trailing starting with colon', 'PRIVMSG #a ::-)', m('PRIVMSG', ['#a', ':-)'])],
  ['trailing containing colons', 'PRIVMSG #a :a:b :c', m('PRIVMSG', ['#a', 'a:b :c'])],
  ['trailing keeps inner runs of spaces', 'PRIVMSG #a :a  b', m('PRIVMSG', ['#a', 'a  b'])],
  ['trailing keeps leading spaces', 'PRIVMSG #a :  x', m('PRIVMSG', ['#a', '  x'])],
  ['trailing keeps trailing spaces', 'PRIVMSG #a :x  ', m('PRIVMSG', ['#a', 'x  '])],
  ['trailing of only spaces', 'PRIVMSG #a :   ', m('PRIVMSG', ['#a', '   '])],
  ['colon inside a middle param is literal', 'MODE #a b:c', m('MODE', ['#a', 'b:c'])],
  ['last param without colon', 'JOIN #a', m('JOIN', ['#a'])],
  ['tab is not a separator', 'PRIVMSG\t#a', { error: 'BAD_COMMAND' }],
  ['tab inside a middle param', 'PRIVMSG a\tb', m('PRIVMSG', ['a\tb'])],
  ['utf-8 params', 'PRIVMSG #café :héllo 🌍', m('PRIVMSG', ['#café', 'héllo 🌍'])],
  // spaces
  ['leading spaces are skipped', '   PING x', m('PING', ['x'])],
  ['multiple spaces between params', 'USER  a   0 *    b', m('USER', ['a', '0', '*', 'b'])],
  ['multiple spaces before trailing', 'PRIVMSG #a    :hi', m('PRIVMSG', ['#a', 'hi'])],
  ['trailing spaces are not a param', 'JOIN #a   ', m('JOIN', ['#a'])],
  ['trailing spaces after command', 'PING   ', m('PING')],
  ['multiple spaces after source', ':nick   PING', m('PING', [], 'nick')],
  ['multiple spaces after tags', '@a=1    PING', m('PING', [], null, [['a', '1']])],
  ['spaces before tags', '  @a=1 PING', m('PING', [], null, [['a', '1']])],
  // source
  ['source absent', 'PING x', m('PING', ['x'], null)],
  ['server source', ':irc.example.net NOTICE * :hi', m('NOTICE', ['*', 'hi'], 'irc.example.net')],
  ['user mask source', ':a!b@c.d JOIN #x', m('JOIN', ['#x'], 'a!b@c.d')],
  ['empty source', ': PING', m('PING', [], '')],
  ['source with utf-8', ':ñick!u@h PING', m('PING', [], 'ñick!u@h')],
  // tags
  ['tag with value', '@a=b PING', m('PING', [], null, [['a', 'b']])],
  ['tag without value', '@a PING', m('PING', [], null, [['a', '']])],
  ['tag with empty value', '@a= PING', m('PING', [], null, [['a', '']])],
  [
    'several tags keep order',
    '@b=2;a=1;c PING',
    m('PING', [], null, [
      ['b', '2'],
      ['a', '1'],
      ['c', ''],
    ]),
  ],
  [
    'vendor tag key',
    '@example.com/foo=bar PING',
    m('PING', [], null, [['example.com/foo', 'bar']]),
  ],
  [
    'client-only tag keeps +',
    '@+typing=active TAGMSG #a',
    m('TAGMSG', ['#a'], null, [['+typing', 'active']]),
  ],
  [
    'client-only vendor tag',
    '@+example.com/x=1;y PING',
    m('PING', [], null, [
      ['+example.com/x', '1'],
      ['y', ''],
    ]),
  ],
  [
    'duplicate keys: last wins',
    '@a=1;b=2;a=3 PING',
    m('PING', [], null, [
      ['a', '3'],
      ['b', '2'],
    ]),
  ],
  ['duplicate key: valueless last wins', '@a=1;a PING', m('PING', [], null, [['a', '']])],
  ['value containing =', '@a=b=c PING', m('PING', [], null, [['a', 'b=c']])],
  ['escaped \\: is semicolon', '@a=x\\:y PING', m('PING', [], null, [['a', 'x;y']])],
  ['escaped \\s is space', '@a=x\\sy PING', m('PING', [], null, [['a', 'x y']])],
  ['escaped \\\\ is backslash', '@a=x\\\\y PING', m('PING', [], null, [['a', 'x\\y']])],
  ['escaped \\r is CR', '@a=x\\ry PING', m('PING', [], null, [['a', 'x\ry']])],
  ['escaped \\n is LF', '@a=x\\ny PING', m('PING', [], null, [['a', 'x\ny']])],
  ['unknown escape stands for itself', '@a=\\b\\x PING', m('PING', [], null, [['a', 'bx']])],
  ['escaped = stands for itself', '@a=\\= PING', m('PING', [], null, [['a', '=']])],
  ['trailing lone backslash dropped', '@a=xy\\ PING', m('PING', [], null, [['a', 'xy']])],
  ['value of only a backslash', '@a=\\ PING', m('PING', [], null, [['a', '']])],
  ['escaped backslash then lone', '@a=\\\\\\ PING', m('PING', [], null, [['a', '\\']])],
  ['all escapes together', '@a=\\:\\s\\\\\\r\\n PING', m('PING', [], null, [['a', '; \\\r\n']])],
  [
    'empty tag parts tolerated',
    '@a=1;;b=2; PING',
    m('PING', [], null, [
      ['a', '1'],
      ['b', '2'],
    ]),
  ],
  [
    'tags and source and params',
    '@time=2024-01-01T00:00:00.000Z :a!b@c PRIVMSG #x :hi there',
    m('PRIVMSG', ['#x', 'hi there'], 'a!b@c', [['time', '2024-01-01T00:00:00.000Z']]),
  ],
  // errors
  ['EMPTY: empty line', '', { error: 'EMPTY' }],
  ['EMPTY: only spaces', '    ', { error: 'EMPTY' }],
  ['NO_COMMAND: tags only', '@a=1', { error: 'NO_COMMAND' }],
  ['NO_COMMAND: tags and spaces', '@a=1   ', { error: 'NO_COMMAND' }],
  ['NO_COMMAND: source only', ':nick', { error: 'NO_COMMAND' }],
  ['NO_COMMAND: source and spaces', ':nick  ', { error: 'NO_COMMAND' }],
  ['NO_COMMAND: tags and source', '@a :nick', { error: 'NO_COMMAND' }],
  ['NO_COMMAND: bare colon', ':', { error: 'NO_COMMAND' }],
  ['BAD_COMMAND: two digits', '01 x', { error: 'BAD_COMMAND' }],
  ['BAD_COMMAND: four digits', '0001', { error: 'BAD_COMMAND' }],
  ['BAD_COMMAND: digit then letters', '1AB', { error: 'BAD_COMMAND' }],
  ['BAD_COMMAND: letters then digits', 'AB1', { error: 'BAD_COMMAND' }],
  ['BAD_COMMAND: punctuation', 'PRIV-MSG', { error: 'BAD_COMMAND' }],
  ['BAD_COMMAND: non-ascii letter', 'PRIVMSGé', { error: 'BAD_COMMAND' }],
  ['BAD_COMMAND: ß does not upper-case to SS', 'ß', { error: 'BAD_COMMAND' }],
  ['BAD_COMMAND: dotless ı does not become I', 'ınfo', { error: 'BAD_COMMAND' }],
  ['BAD_COMMAND: long ſ does not become S', 'ſ', { error: 'BAD_COMMAND' }],
  ['BAD_COMMAND: ligature ﬃ does not become FFI', 'ﬃ', { error: 'BAD_COMMAND' }],
  ['BAD_COMMAND: fullwidth digits', '００１', { error: 'BAD_COMMAND' }],
  ['BAD_COMMAND: after source', ':nick 12 x', { error: 'BAD_COMMAND' }],
  // Below '0': a digit check alone would take `!12` for a numeric.
  ['BAD_COMMAND: punctuation then two digits', '!12', { error: 'BAD_COMMAND' }],
  ['BAD_TAGS: bare @', '@ PING', { error: 'BAD_TAGS' }],
  ['BAD_TAGS: empty key with value', '@=x PING', { error: 'BAD_TAGS' }],
  ['BAD_TAGS: empty key among others', '@a=1;=2 PING', { error: 'BAD_TAGS' }],
  ['BAD_TAGS: only separators', '@; PING', { error: 'BAD_TAGS' }],
  ['BAD_TAGS: bare @ at end', '@', { error: 'BAD_TAGS' }],
  ['NUL: in params', 'PRIVMSG #a :x\0y', { error: 'NUL' }],
  ['NUL: in tags', '@a=\0 PING', { error: 'NUL' }],
  ['NUL: alone', '\0', { error: 'NUL' }],
  ['NUL: wins over other errors', '@=x \0', { error: 'NUL' }],
];

describe('parse', () => {
  for (const [name, line, expected] of parseCases) {
    test(`${name}: ${JSON.stringify(line)}`, () => {
      assert.deepEqual(plain(parse(line)), expected);
    });
  }

  test('tags is null (not an empty Map) when the line has no tag section', () => {
    const r = parse(':a PING');
    assert.ok(!isParseError(r));
    assert.equal(r.tags, null);
  });

  test('isParseError distinguishes the two result shapes', () => {
    assert.equal(isParseError(parse('PING')), false);
    assert.equal(isParseError(parse('')), true);
  });
});

describe('parseTags', () => {
  const cases: readonly [string, [string, string][] | null][] = [
    ['a=1', [['a', '1']]],
    ['a', [['a', '']]],
    [
      'a;b=',
      [
        ['a', ''],
        ['b', ''],
      ],
    ],
    ['a=\\s', [['a', ' ']]],
    ['', null],
    ['=', null],
    ['=1', null],
    [';', null],
    [';;', null],
  ];
  for (const [raw, expected] of cases) {
    test(JSON.stringify(raw), () => {
      const tags = parseTags(raw);
      assert.deepEqual(tags === null ? null : [...tags.entries()], expected);
    });
  }
});

describe('unescapeTagValue', () => {
  const cases: readonly [string, string][] = [
    ['', ''],
    ['plain', 'plain'],
    ['\\:', ';'],
    ['\\s', ' '],
    ['\\\\', '\\'],
    ['\\r', '\r'],
    ['\\n', '\n'],
    ['\\a', 'a'],
    ['\\;', ';'],
    ['\\S', 'S'],
    ['\\', ''],
    ['x\\', 'x'],
    ['\\\\\\', '\\'],
    ['\\\\s', '\\s'],
    ['\\é', 'é'],
    ['a\\sb\\:c', 'a b;c'],
  ];
  for (const [raw, expected] of cases) {
    test(`${JSON.stringify(raw)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(unescapeTagValue(raw), expected);
    });
  }
});

describe('escapeTagValue', () => {
  const cases: readonly [string, string][] = [
    ['', ''],
    ['plain', 'plain'],
    [';', '\\:'],
    [' ', '\\s'],
    ['\\', '\\\\'],
    ['\r', '\\r'],
    ['\n', '\\n'],
    ['a b;c\\d', 'a\\sb\\:c\\\\d'],
    ['\t', '\t'],
    ['=', '='],
    ['é 🌍', 'é\\s🌍'],
  ];
  for (const [value, expected] of cases) {
    test(`${JSON.stringify(value)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(escapeTagValue(value), expected);
    });
  }
});

describe('serializeTags', () => {
  test('null and empty map serialize to nothing', () => {
    assert.equal(serializeTags(null), '');
    assert.equal(serializeTags(new Map()), '');
  });
  test('empty value is written as a bare key', () => {
    assert.equal(serializeTags(new Map([['a', '']])), 'a');
  });
  test('values are escaped and order is kept', () => {
    assert.equal(
      serializeTags(
        new Map([
          ['b', 'x y'],
          ['+a', '1;2'],
          ['c', ''],
        ]),
      ),
      'b=x\\sy;+a=1\\:2;c',
    );
  });
});

describe('serializeBody', () => {
  const cases: readonly [string, string | null, string, string[], string][] = [
    ['no params', null, 'PING', [], 'PING'],
    ['source', 'irc.example', 'PING', [], ':irc.example PING'],
    ['single plain param', null, 'NICK', ['alice'], 'NICK alice'],
    ['middle params', null, 'USER', ['a', '0', '*', 'b'], 'USER a 0 * b'],
    ['last param with space', null, 'PRIVMSG', ['#a', 'hi there'], 'PRIVMSG #a :hi there'],
    ['last param empty', null, 'TOPIC', ['#a', ''], 'TOPIC #a :'],
    ['last param starts with colon', null, 'PRIVMSG', ['#a', ':)'], 'PRIVMSG #a ::)'],
    ['last param only colon', null, 'PRIVMSG', ['#a', ':'], 'PRIVMSG #a ::'],
    ['colon inside last param is fine', null, 'PRIVMSG', ['#a', 'a:b'], 'PRIVMSG #a a:b'],
    ['last param only spaces', null, 'PRIVMSG', ['#a', '  '], 'PRIVMSG #a :  '],
    ['only param empty', null, 'AWAY', [''], 'AWAY :'],
    ['numeric with source', 'srv', '001', ['bob', 'Welcome bob'], ':srv 001 bob :Welcome bob'],
  ];
  for (const [name, source, command, params, expected] of cases) {
    test(name, () => {
      assert.equal(serializeBody(source, command, params), expected);
    });
  }
});

describe('serialize', () => {
  const cases: readonly [string, Message, string][] = [
    ['bare command', message('PING'), 'PING'],
    ['empty tag map writes no @', message('PING', [], null, []), 'PING'],
    ['tags and body', message('PING', ['x'], null, [['a', '1']]), '@a=1 PING x'],
    [
      'tags, source and trailing',
      message('PRIVMSG', ['#a', 'hi there'], 'n!u@h', [
        ['+draft/reply', 'abc'],
        ['time', 'now'],
      ]),
      '@+draft/reply=abc;time=now :n!u@h PRIVMSG #a :hi there',
    ],
    ['escaped tag value', message('TAGMSG', ['#a'], null, [['k', 'a b']]), '@k=a\\sb TAGMSG #a'],
    ['empty trailing', message('PRIVMSG', ['#a', ''], 'srv'), ':srv PRIVMSG #a :'],
  ];
  for (const [name, msg, expected] of cases) {
    test(name, () => {
      assert.equal(serialize(msg), expected);
    });
  }

  test('parse reads back every serialize case', () => {
    for (const [, msg, line] of cases) {
      const back = plain(parse(line));
      const want = plain(msg);
      if (!('error' in want) && want.tags !== null && want.tags.length === 0) want.tags = null;
      assert.deepEqual(back, want);
    }
  });
});
