// Tests for read markers' pure parts: MARKREAD parsed, what the client sends (only forward, throttled), and unread counts that follow the marker.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Conversations } from '../../src/client/conversations.js';
import { MARK_EVERY_MS, parseMarkRead, ReadMarkers } from '../../src/client/markers.js';

const T = Date.parse('2026-03-01T12:00:00.000Z');

describe('parseMarkRead', () => {
  const cases: readonly [string, string[], ReturnType<typeof parseMarkRead>][] = [
    ['a timestamp', ['#dev', 'timestamp=2026-03-01T12:00:00.000Z'], { target: '#dev', marker: T }],
    ['no fraction', ['#dev', 'timestamp=2026-03-01T12:00:00Z'], { target: '#dev', marker: T }],
    ['none set', ['alice', '*'], { target: 'alice', marker: null }],
    ['a query, not an answer', ['#dev'], null],
    ['no target', ['', '*'], null],
    ['not UTC', ['#dev', 'timestamp=2026-03-01T12:00:00+01:00'], null],
    ['not a date', ['#dev', 'timestamp=2026-13-45T99:00:00Z'], null],
    ['no key', ['#dev', '2026-03-01T12:00:00Z'], null],
  ];
  for (const [name, params, want] of cases) {
    test(name, () => assert.deepEqual(parseMarkRead(params), want));
  }
});

/** ReadMarkers with a clock and timers moved by hand. */
function markers(enabled = true) {
  const written: string[] = [];
  const due: Array<{ at: number; fn: () => void }> = [];
  let now = 1_000_000;
  const m = new ReadMarkers({
    enabled: () => enabled,
    fold: (s) => s.toLowerCase(),
    write: (l) => written.push(l),
    now: () => now,
    later: (fn, ms) => due.push({ at: now + ms, fn }),
  });
  const advance = (ms: number) => {
    now += ms;
    for (const d of due.splice(0).sort((a, b) => a.at - b.at)) {
      if (d.at <= now) d.fn();
      else due.push(d);
    }
  };
  return { m, written, advance };
}

const line = (target: string, ms: number) =>
  `MARKREAD ${target} timestamp=${new Date(ms).toISOString()}`;

describe('ReadMarkers', () => {
  test('the latest marker per conversation, folded; `*` and older ones change nothing', () => {
    const { m } = markers();
    assert.equal(m.received({ target: '#Dev', marker: T }), false, 'not ours');
    m.received({ target: '#dev', marker: T - 5 });
    m.received({ target: '#DEV', marker: null });
    assert.equal(m.get('#dev'), T);
    assert.equal(m.get('#ops'), null);
  });

  test('sent at once, then at most once per interval with the latest time; never backwards', () => {
    const { m, written, advance } = markers();
    m.received({ target: '#dev', marker: T });
    m.markRead('#dev', T - 1000); // history older than the marker
    m.markRead('#dev', T);
    assert.deepEqual(written, []);
    m.markRead('#dev', T + 1);
    assert.deepEqual(written, [line('#dev', T + 1)]);
    assert.equal(m.received({ target: '#dev', marker: T + 1 }), true, 'our own, coming back');
    m.markRead('#dev', T + 2);
    m.markRead('#dev', T + 3);
    m.markRead('#ops', T); // another target is not held back by #dev's
    assert.deepEqual(written, [line('#dev', T + 1), line('#ops', T)]);
    advance(MARK_EVERY_MS);
    assert.deepEqual(written.slice(2), [line('#dev', T + 3)]);
    advance(MARK_EVERY_MS * 5);
    assert.equal(written.length, 3, 'nothing more was read');
  });

  test('what the throttle holds goes out on flush (before QUIT)', () => {
    const { m, written } = markers();
    m.markRead('#dev', T);
    m.markRead('#dev', T + 9);
    m.flush();
    assert.deepEqual(written, [line('#dev', T), line('#dev', T + 9)]);
  });

  test('nothing is sent or asked without the cap and an account', () => {
    const { m, written } = markers(false);
    m.markRead('#dev', T);
    m.query('alice');
    assert.deepEqual(written, []);
  });

  test('a private conversation is asked for once per link, unless its marker is known', () => {
    const { m, written } = markers();
    m.query('alice');
    m.query('Alice');
    m.received({ target: 'bob', marker: T });
    m.query('bob');
    assert.deepEqual(written, ['MARKREAD alice']);
    m.linkLost();
    m.query('alice');
    assert.equal(written.length, 2);
  });
});

describe('unread counts with a read marker', () => {
  test('no newer than the marker: not counted; a marker moved elsewhere uncounts up to it', () => {
    const c = new Conversations(
      (s) => s.toLowerCase(),
      () => {},
    );
    c.show('#lobby', true);
    c.arrived('#dev', 'bob', false, false, { time: 10, read: 20 });
    c.arrived('#dev', 'bob', false, false, { time: 30, read: 20 });
    c.arrived('#dev', 'bob', false, true, { time: 40, read: 20 });
    c.arrived('#dev', 'bob', false, false, { time: 50, read: null });
    const dev = () => c.all().find((x) => x.name === '#dev')!;
    assert.deepEqual([dev().unread, dev().highlight], [3, true]);
    c.readTo('#DEV', 40);
    assert.deepEqual([dev().unread, dev().highlight], [1, false]);
    c.readTo('#dev', 60);
    assert.equal(dev().unread, 0);
    assert.deepEqual(c.recentSpeakers('#dev'), ['bob'], 'read lines still count as spoken');
  });
});
