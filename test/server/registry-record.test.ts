// registry.ts recordOf: the lasting state of a registered channel as its store record (modes sorted, lists copied, topic, key, limit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel } from '../../src/server/channel.js';
import { recordOf } from '../../src/server/registry.js';

test('a registered channel as its record: every lasting mode, sorted; lists copied', () => {
  const c = new Channel('#Parley', 1_700_000_000_000);
  c.flags.add('s');
  c.flags.add('m');
  c.flags.delete('n');
  c.topic = 'welcome';
  c.topicBy = 'alice';
  c.topicAt = 1_700_000_001_000;
  c.key = 'sesame';
  c.limit = 50;
  c.lists.b.push({ mask: '*!*@x-1.parley', setBy: 'alice', setAt: 5 });
  c.lists.I.push({ mask: '*!*@x-2.parley', setBy: 'bob', setAt: 6 });
  c.large = true; // +u is the server's own, never stored
  const r = recordOf(c, 'alice', 1_700_000_000_500);
  assert.deepEqual(r, {
    name: '#Parley',
    key: '#parley',
    founder: 'alice',
    topic: 'welcome',
    topicBy: 'alice',
    topicAt: 1_700_000_001_000,
    modes: 'mst',
    password: 'sesame',
    limit: 50,
    lists: {
      b: [{ mask: '*!*@x-1.parley', setBy: 'alice', setAt: 5 }],
      e: [],
      I: [{ mask: '*!*@x-2.parley', setBy: 'bob', setAt: 6 }],
    },
    createdAt: 1_700_000_000_500,
  });
  c.lists.b[0].mask = 'changed';
  assert.equal(r.lists.b[0].mask, '*!*@x-1.parley', 'a copy, not the live list');
  c.flags.add('u'); // were it ever a flag, it is still not stored
  assert.equal(recordOf(c, 'alice', 0).modes, 'mst');
});
