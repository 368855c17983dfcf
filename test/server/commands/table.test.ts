// The command table's generic checks (421, 451, 461) over real TCP, and its refusal of a duplicate entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandTable, type CommandSpec } from '../../../src/server/commands/table.js';
import { startServer, TestClient } from '../../helpers/irc.js';

test('an unknown command is 451 before registration and 421 after', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const c = await TestClient.connect(srv.port);
    assert.deepEqual(await c.rawReplies('FROB x'), [
      ':parley.local 451 * :You have not registered',
    ]);
    assert.deepEqual(await c.rawReplies('JOIN #a'), [
      ':parley.local 451 * :You have not registered',
    ]);
    assert.deepEqual(await c.rawReplies('NOTICE bob :hi'), [], 'NOTICE is never answered');
    c.destroy();
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    assert.deepEqual(await alice.rawReplies('FROB x'), [
      ':parley.local 421 alice FROB :Unknown command',
    ]);
    assert.deepEqual(await alice.rawReplies('KICK #a'), [
      ':parley.local 461 alice KICK :Not enough parameters',
    ]);
    alice.destroy();
  } finally {
    await srv.stop();
  }
});

test('HELP lists the commands in alphabetical order', async () => {
  const srv = await startServer({ defaultChannel: '' });
  try {
    const alice = await TestClient.register(srv.port, 'alice', [], false);
    const names = (await alice.rawReplies('HELP'))
      .slice(1, -1)
      .map((raw) => raw.split(' ')[4].replace(/^:/, ''));
    assert.ok(names.length > 20, names.join(' '));
    assert.deepEqual(names, [...names].sort());
    alice.destroy();
  } finally {
    await srv.stop();
  }
});

test('two table entries with one name are refused when the table is built', () => {
  const spec: CommandSpec = { name: 'X', syntax: 'X', help: 'x', minParams: 0, handler: () => {} };
  assert.throws(() => new CommandTable([spec, { ...spec }]), /^Error: duplicate command X$/);
});
