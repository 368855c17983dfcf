// event.ts: one stamped event, each capability variant of its line built once and shared, tags composed in the order clients expect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerEvent, stampTags } from '../../src/server/event.js';
import { CAPBIT } from '../../src/server/capabilities.js';

const stamp = { time: '2026-12-04T02:40:00.123Z', ms: 1796352000123, msgid: 'abc123' };
const { MESSAGE_TAGS: TAGS, SERVER_TIME: TIME, ACCOUNT_TAG: ACCT, EXTENDED_JOIN: XJOIN } = CAPBIT;

function join(): ServerEvent {
  const e = new ServerEvent('alice!a@x-1.parley', 'JOIN', ['#lobby'], stamp);
  e.extendedParams = ['#lobby', 'alice', 'Alice A'];
  e.account = 'alice';
  return e;
}

test('each client sees the tags its capabilities ask for, and no more', () => {
  const e = new ServerEvent(
    'bob!b@h',
    'PRIVMSG',
    ['#c', 'hi there'],
    stamp,
    new Map([['+draft/react', ';)']]),
  );
  const body = ':bob!b@h PRIVMSG #c :hi there\r\n';
  assert.equal(e.textFor(0), body);
  assert.equal(e.textFor(TIME), `@time=${stamp.time} ${body}`);
  assert.equal(e.textFor(TAGS), `@time=${stamp.time};msgid=abc123;+draft/react=\\:) ${body}`);
  assert.equal(e.textFor(TAGS | TIME), e.textFor(TAGS), 'message-tags includes the time');
  assert.equal(e.textFor(ACCT), body, 'no account: no account tag');
});

test('the account tag follows the other tags, or stands alone', () => {
  const e = new ServerEvent('bob!b@h', 'PRIVMSG', ['#c', 'hi'], stamp);
  e.account = 'bob smith';
  const body = ':bob!b@h PRIVMSG #c hi\r\n';
  assert.equal(e.textFor(ACCT), `@account=bob\\ssmith ${body}`);
  assert.equal(e.textFor(ACCT | TIME), `@time=${stamp.time};account=bob\\ssmith ${body}`);
  assert.equal(e.textFor(0), body);
});

test('extended-join clients see the account and real name in JOIN; others the plain JOIN', () => {
  const e = join();
  assert.equal(e.textFor(0), ':alice!a@x-1.parley JOIN #lobby\r\n');
  assert.equal(e.textFor(XJOIN), ':alice!a@x-1.parley JOIN #lobby alice :Alice A\r\n');
  assert.equal(e.bodyText(XJOIN), ':alice!a@x-1.parley JOIN #lobby alice :Alice A');
  assert.equal(e.bodyText(TAGS), ':alice!a@x-1.parley JOIN #lobby');
});

test('all twelve variants differ, each is built once and shared by every caller', () => {
  const e = join();
  const seen = new Map<string, Buffer>();
  for (const base of [0, TIME, TAGS]) {
    for (const acct of [0, ACCT]) {
      for (const xj of [0, XJOIN]) {
        const caps = base | acct | xj;
        const b = e.bufferFor(caps);
        assert.equal(b.toString(), e.textFor(caps));
        assert.equal(e.bufferFor(caps), b, 'the same Buffer again');
        assert.equal(
          e.bufferFor(caps | CAPBIT.BATCH | CAPBIT.ECHO_MESSAGE),
          b,
          'other caps share it',
        );
        seen.set(b.toString(), b);
      }
    }
  }
  assert.equal(seen.size, 12);
  const plain = new ServerEvent('s', 'PING', ['x'], stamp);
  assert.equal(plain.bufferFor(XJOIN | ACCT), plain.bufferFor(0), 'without either, one variant');
});

test('stampTags can leave the msgid out (later lines of a multiline message)', () => {
  assert.equal(stampTags(stamp, TAGS, null, false), `time=${stamp.time}`);
  assert.equal(stampTags(stamp, TAGS, null), `time=${stamp.time};msgid=abc123`);
  assert.equal(stampTags(stamp, TIME, new Map([['+x', 'y']])), `time=${stamp.time}`);
  assert.equal(stampTags(stamp, 0, new Map([['+x', 'y']])), '');
});
