// Model test of privacy across two cluster nodes: the single-server model's random runs, with each connection placed on the next node in turn.
//
// Two servers in this process joined through a real redis-server (ClusterLink, as `--cluster`
// does) and sharing one in-memory store, as nodes share a Redis store: joins, parts, kicks,
// bans, modes, invites, nick changes, quits, messages, listings and history queries go to
// whichever node their client is on, and every line each client gets must be what the model
// says (test/helpers/model-run.ts), with both nodes' copies of every channel equal to the model's.
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { MemoryStore } from '../../src/store/index.js';
import { inProcessNode } from '../helpers/cluster.js';
import { REPLAY } from '../helpers/model-actions.js';
import { checkModel } from '../helpers/model-run.js';
import { haveRedis, startRedis } from '../helpers/redis.js';

test('model across two nodes: every delivery, numeric and history answer reaches exactly whom the model says', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  try {
    await checkModel(async () => {
      // Each run a new network: nothing left of the last run's nodes.
      execFileSync('redis-cli', ['-p', String(redis.port), 'flushall'], { stdio: 'ignore' });
      const store = new MemoryStore(true);
      const node = (id: string) => inProcessNode(redis, store, id, { historyOnJoin: REPLAY });
      return [await node('n1'), await node('n2')];
    }, 10);
  } finally {
    await redis.stop();
  }
});
