// The real server on a real SQLite file, killed with SIGKILL mid-traffic: every message it confirmed is in history once after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient } from '../helpers/irc.js';
import { startServe } from './serve.js';

const CAPS = ['batch', 'server-time', 'message-tags', 'echo-message', 'draft/chathistory'];
const ARGS = ['--flood', 'off', '--default-channel', '#d'];

test('kill -9 during traffic, then restart: each confirmed message is in history exactly once, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-durable-'));
  const db = join(dir, 'chat.db');
  let srv = await startServe([...ARGS, '--db', db]);
  try {
    const alice = await TestClient.register(srv.port, 'alice', CAPS);
    // 900 lines in one write: the server is killed once 300 echoes (confirmations) are back.
    const total = 900;
    let burst = '';
    for (let i = 0; i < total; i++) burst += `PRIVMSG #d :line ${i}\r\n`;
    alice.socket.write(burst);
    const confirmed = (): string[] =>
      alice.received
        .filter((r) => r.msg.command === 'PRIVMSG' && r.msg.params[0] === '#d')
        .map((r) => r.msg.tags!.get('msgid')!);
    await alice.expect(() => confirmed().length >= 300, 10_000, '300 echoes');
    srv.child.kill('SIGKILL');
    await alice.closedPromise;
    const sure = confirmed();
    assert.ok(sure.length >= 300 && sure.length <= total);

    srv = await startServe([...ARGS, '--db', db]);
    const bob = await TestClient.register(srv.port, 'bob', CAPS);
    const got = await bob.replies('CHATHISTORY LATEST #d * 1000');
    const ids = got.filter((m) => m.command === 'PRIVMSG').map((m) => m.tags!.get('msgid')!);
    const texts = got.filter((m) => m.command === 'PRIVMSG').map((m) => m.params[1]);
    assert.equal(new Set(ids).size, ids.length, 'no message is stored twice');
    for (const id of sure) assert.ok(ids.includes(id), `confirmed ${id} survived the kill`);
    // What survived is a prefix of what was sent, in the order it was sent.
    assert.deepEqual(
      texts,
      texts.map((_, i) => `line ${i}`),
    );
    bob.destroy();
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a second server on the same database file stops at once with one line and exit code 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-durable-'));
  const db = join(dir, 'chat.db');
  const first = await startServe(['--db', db]);
  try {
    await assert.rejects(startServe(['--db', db]), (err: Error) => {
      assert.match(err.message, /exited early \(code 2/);
      assert.match(
        err.message,
        /parley: --db: cannot open database .*chat\.db: it is in use by another running parley server/,
      );
      assert.doesNotMatch(err.message, /\n\s+at /, 'no stack trace');
      return true;
    });
  } finally {
    await first.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
