// A reload (SIGHUP) and a shutdown in this process: new settings reach the server and its connections at once, a new address waits for a restart and says so; a shutdown tells every client why, once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, TestClient } from '../helpers/irc.js';

const RESTART = 'host and port changes take effect on restart';
const TLS_RESTART = 'turning TLS on or off, or moving its port, takes effect on restart';

test('reload: settings apply at once; host, port, WebSocket port and turning TLS on are kept until a restart, with a warning', async () => {
  const srv = await startServer();
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const was = srv.server.config;
    assert.equal(srv.server.wsAddress, null, 'no --websocket-port, no WebSocket listener');
    assert.ok(!srv.logged().includes('connection refused'), 'an admitted connection is not');
    // TLS turned on by a reload waits for a restart too.
    const tls = { port: 0, cert: 'unused', key: 'unused' };
    srv.server.reload({ ...was, tls });
    assert.ok(srv.logged().includes(TLS_RESTART));
    assert.equal(srv.server.config.tls, null);
    srv.server.reload({ ...was, motd: ['reloaded'], logChat: false });
    assert.ok(srv.logged().includes('configuration reloaded'));
    assert.ok(!srv.logged().includes(RESTART), 'the same address: no warning');
    assert.deepEqual(srv.server.config.motd, ['reloaded']);
    const motd = await alice.replies('MOTD');
    assert.ok(motd.some((m) => m.command === '372' && m.params[1].includes('reloaded')));
    for (const moved of [{ host: '127.0.0.2' }, { port: was.port + 1 }, { websocketPort: 1 }]) {
      const before = srv.logged().filter((l) => l === RESTART).length;
      srv.server.reload({ ...was, ...moved });
      assert.equal(
        srv.logged().filter((l) => l === RESTART).length,
        before + 1,
        JSON.stringify(moved),
      );
      const { host, port, websocketPort } = srv.server.config;
      assert.deepEqual([host, port, websocketPort], [was.host, was.port, was.websocketPort]);
    }
    // Still serving where it was.
    const bob = await TestClient.register(srv.port, 'bob');
    for (const c of [alice, bob]) c.destroy();
  } finally {
    await srv.stop();
  }
});

test('shutdown tells every client why, once; a second call does nothing', async () => {
  const srv = await startServer();
  const alice = await TestClient.register(srv.port, 'alice');
  const first = srv.server.shutdown();
  const error = await alice.expect((m) => m.command === 'ERROR');
  assert.equal(error.params[0], 'Server shutting down');
  await Promise.all([first, srv.server.shutdown()]);
  await alice.closedPromise;
  assert.equal(alice.all('ERROR').length, 1);
});
