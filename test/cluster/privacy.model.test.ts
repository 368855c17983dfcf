// Model test of privacy across two cluster nodes: the single-server model's random runs, with each connection placed on the next node in turn.
//
// Two servers in this process joined through a real redis-server (ClusterLink, as `--cluster`
// does) and sharing one in-memory store, as nodes share a Redis store: joins, parts, kicks,
// bans, modes, invites, nick changes, quits, messages, listings and history queries go to
// whichever node their client is on, and every line each client gets must be what the model
// says (test/helpers/model-run.ts), with both nodes' copies of every channel equal to the model's.
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { ClusterLink } from '../../src/server/cluster.js';
import { MemoryStore } from '../../src/store/index.js';
import { startServer, type TestServer } from '../helpers/irc.js';
import { REPLAY } from '../helpers/model-driver.js';
import { checkModel } from '../helpers/model-run.js';
import { haveRedis, startRedis, type TestRedis } from '../helpers/redis.js';

async function node(redis: TestRedis, store: MemoryStore, id: string): Promise<TestServer> {
  const config = { defaultChannel: '', historyOnJoin: REPLAY, flood: null };
  return startServer(config, 'text', false, store, async (server) => {
    const link = new ClusterLink(server, redis.url, id);
    await link.start();
    server.cluster = link;
    server.stamper.suffix = '-' + id;
  });
}

test('model across two nodes: every delivery, numeric and history answer reaches exactly whom the model says', async (t) => {
  if (!haveRedis(t)) return;
  const redis = await startRedis();
  try {
    await checkModel(async () => {
      // Each run a new network: nothing left of the last run's nodes.
      execFileSync('redis-cli', ['-p', String(redis.port), 'flushall'], { stdio: 'ignore' });
      const store = new MemoryStore(true);
      return [await node(redis, store, 'n1'), await node(redis, store, 'n2')];
    }, 10);
  } finally {
    await redis.stop();
  }
});
