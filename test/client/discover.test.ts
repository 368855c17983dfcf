// Unit tests for mDNS discovery's pure parts: TXT encoding and decoding, instance names, address choice, the server list, the prompt's answers and the flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeTxt, mdnsOptions, uniqueInstanceName } from '../../src/server/advertise.js';
import { decodeTxtStrings, pickAddress, type FoundServer } from '../../src/client/discover.js';
import {
  hostPort,
  parseChoice,
  renderServerList,
  txtSummary,
} from '../../src/cli/discover-prompt.js';
import { loadConnectSettings } from '../../src/cli/connect-options.js';
import { loadServeSettings } from '../../src/cli/serve-options.js';
import { CliError } from '../../src/cli/errors.js';

/** What bonjour-service puts on the wire for a TXT record: one `key=value` string per pair. */
const wire = (txt: Record<string, string>) =>
  Object.entries(txt).map(([k, v]) => Buffer.from(`${k}=${v}`));

const INFO = {
  network: 'parley',
  version: 'parley-0.1.0',
  tls: false,
  channel: '#lobby',
  password: false,
};

test('encodeTxt: the known keys in order; no channel key when there is no default channel', () => {
  assert.deepEqual(encodeTxt(INFO), {
    txtvers: '1',
    network: 'parley',
    version: 'parley-0.1.0',
    tls: '0',
    password: '0',
    channel: '#lobby',
  });
  const other = encodeTxt({ ...INFO, channel: '', tls: true, password: true });
  assert.equal(other.channel, undefined);
  assert.equal(other.tls, '1');
  assert.equal(other.password, '1');
});

test('encodeTxt: each key=value string fits in 255 bytes, never cut inside a character', () => {
  const txt = encodeTxt({ ...INFO, network: 'é'.repeat(300) });
  for (const s of wire(txt)) assert.ok(s.length <= 255, `${s.length} bytes`);
  assert.equal(Buffer.byteLength(`network=${txt.network}`), 254); // 246 bytes = 123 'é'
  assert.equal(txt.network, 'é'.repeat(123));
});

test('TXT round trip: encodeTxt on the wire, decodeTxtStrings back', () => {
  const txt = encodeTxt(INFO);
  assert.deepEqual(decodeTxtStrings(wire(txt)), txt);
});

test('decodeTxtStrings: RFC 6763 rules', () => {
  const cases: [string[], Record<string, string>][] = [
    [['a=1', 'b=two words'], { a: '1', b: 'two words' }],
    [['Key=x', 'key=y'], { key: 'x' }], // case-insensitive keys, the first wins
    [['flag'], { flag: '' }], // a key alone is a boolean attribute
    [['empty='], { empty: '' }],
    [['eq=a=b'], { eq: 'a=b' }], // only the first '=' splits
    [['=novalue', ''], {}], // no key: ignored
  ];
  for (const [strings, expected] of cases) {
    assert.deepEqual(
      decodeTxtStrings(strings.map((s) => Buffer.from(s))),
      expected,
      strings.join(','),
    );
  }
});

test('uniqueInstanceName: dots become dashes, a taken name gets (2), (3)...; 63 bytes at most', () => {
  assert.equal(uniqueInstanceName('parley.local', []), 'parley-local');
  assert.equal(uniqueInstanceName('chat', ['other']), 'chat');
  assert.equal(uniqueInstanceName('chat', ['Chat']), 'chat (2)');
  assert.equal(uniqueInstanceName('chat', ['chat', 'chat (2)']), 'chat (3)');
  const long = 'x'.repeat(70);
  assert.equal(uniqueInstanceName(long, []), 'x'.repeat(63));
  assert.equal(uniqueInstanceName(long, ['x'.repeat(63)]), 'x'.repeat(59) + ' (2)');
});

test('mdnsOptions: a specific IPv4 listen address confines mDNS to its interface', () => {
  assert.deepEqual(mdnsOptions('10.1.2.3'), { interface: '10.1.2.3', bind: '0.0.0.0' });
  assert.deepEqual(mdnsOptions('0.0.0.0'), {});
  assert.deepEqual(mdnsOptions('::'), {});
  assert.deepEqual(mdnsOptions('localhost'), {});
  assert.deepEqual(mdnsOptions(null), {});
});

test('pickAddress: the sender when it is announced (or nothing is), else the first IPv4', () => {
  assert.equal(pickAddress(['10.0.0.5', '192.168.1.5'], '192.168.1.5'), '192.168.1.5');
  assert.equal(pickAddress([], '127.0.0.1'), '127.0.0.1');
  assert.equal(pickAddress(['fe80::1', '10.0.0.5'], '172.16.0.1'), '10.0.0.5');
  assert.equal(pickAddress(['fe80::1'], null), 'fe80::1');
  assert.equal(pickAddress([], null), null);
});

const server = (name: string, address: string, port: number, txt: Record<string, string> = {}) =>
  ({
    name,
    address,
    port,
    hostname: 'host',
    addresses: [address],
    txt,
    tls: false,
  }) satisfies FoundServer;

test('renderServerList: numbered, aligned, TXT known keys first, remote text sanitised', () => {
  const lines = renderServerList([
    server('alpha', '10.0.0.1', 6667, {
      txtvers: '1',
      version: 'parley-0.1.0',
      network: 'home',
      extra: 'x',
      channel: '#lobby',
    }),
    server('b\x1b[2Jeta', 'fe80::2', 7000, { network: 'lab\x07' }),
    server('猫', '10.0.0.3', 6667),
  ]);
  assert.deepEqual(lines, [
    '  1) alpha    10.0.0.1:6667   network=home channel=#lobby version=parley-0.1.0 extra=x',
    '  2) b[2Jeta  [fe80::2]:7000  network=lab',
    '  3) 猫       10.0.0.3:6667', // two cells wide
  ]);
  assert.ok(!lines.join('').includes('\x1b'));
  const ten = Array.from({ length: 10 }, (_, i) => server(`s${i}`, '10.0.0.1', 1));
  assert.match(renderServerList(ten)[0], /^ {3}1\) s0 /);
  assert.match(renderServerList(ten)[9], /^ {2}10\) s9 /);
});

test('txtSummary and hostPort', () => {
  assert.equal(txtSummary({ tls: '1', network: 'n' }), 'network=n tls=1');
  assert.equal(txtSummary({ long: 'y'.repeat(50) }), `long=${'y'.repeat(39)}…`);
  assert.equal(hostPort('10.0.0.1', 6667), '10.0.0.1:6667');
  assert.equal(hostPort('::1', 6667), '[::1]:6667');
});

test('parseChoice: Enter is 1, a number in range picks, anything else asks again', () => {
  const cases: [string, number | null][] = [
    ['', 0],
    ['  ', 0],
    ['1', 0],
    ['3', 2],
    [' 2 ', 1],
    ['0', null],
    ['4', null],
    ['x', null],
    ['-1', null],
    ['1.5', null],
  ];
  for (const [answer, expected] of cases) assert.equal(parseChoice(answer, 3), expected, answer);
});

test('connect flags: --discover, --discover-time, --discover-interface, --discover-count and their errors', () => {
  const s = loadConnectSettings(['--discover', '-n', 'bob'], false);
  assert.equal(s.discover, true);
  assert.equal(s.discoverTime, 3000);
  assert.equal(s.discoverInterface, null);
  assert.equal(s.discoverCount, null);
  const t = loadConnectSettings(
    [
      '--discover',
      '--discover-time',
      '500ms',
      '--discover-interface',
      '10.0.0.2',
      '--discover-count',
      '2',
      '-n',
      'b',
    ],
    false,
  );
  assert.equal(t.discoverTime, 500);
  assert.equal(t.discoverInterface, '10.0.0.2');
  assert.equal(t.discoverCount, 2);
  assert.equal(loadConnectSettings(['-n', 'bob'], false).discover, false);
  const bad: [string[], RegExp][] = [
    [['--discover', 'example.org'], /--discover finds the server itself: drop 'example\.org'/],
    [['--discover', '--port', '7000'], /drop --port/],
    [['--discover-time', '2'], /--discover-time needs --discover/],
    [['--discover', '--discover-time', 'soon'], /--discover-time: expected a duration/],
    [['--discover', '--discover-interface', 'eth0'], /not an IPv4 address/],
    [['--discover-count', '1'], /--discover-count needs --discover/],
    [['--discover', '--discover-count', '0'], /--discover-count: must be between 1 and 1000/],
    [['--discover', '--discover-count', 'all'], /--discover-count: expected a whole number/],
  ];
  for (const [args, pattern] of bad) {
    assert.throws(
      () => loadConnectSettings([...args, '-n', 'bob'], false),
      (e: unknown) => {
        assert.ok(e instanceof CliError);
        assert.match(e.message, pattern);
        return true;
      },
    );
  }
});

test('serve flags: --advertise alone or with on|off, --advertise-name, off by default', () => {
  assert.equal(loadServeSettings([]).advertise, false);
  assert.equal(loadServeSettings(['--advertise']).advertise, true);
  assert.equal(loadServeSettings(['--advertise', '--port', '7000']).advertise, true);
  assert.equal(loadServeSettings(['--advertise', 'off']).advertise, false);
  assert.equal(loadServeSettings(['--advertise', 'on']).advertise, true);
  assert.equal(loadServeSettings([]).advertiseName, null);
  assert.equal(loadServeSettings(['--advertise-name', 'Team chat']).advertiseName, 'Team chat');
  assert.throws(
    () => loadServeSettings(['--advertise', 'maybe']),
    /--advertise: expected on or off, got 'maybe'/,
  );
  assert.throws(() => loadServeSettings(['--advertise-name', 'a\x1bb']), /--advertise-name/);
});
