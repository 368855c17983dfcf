// `parley connect` login flags: where the password comes from, and the one-line errors that name the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConnectSettings } from '../../src/cli/connect-options.js';
import { CliError } from '../../src/cli/errors.js';
import { accountPassword } from '../../src/cli/connect.js';

const load = (argv: string[], tty = true, env: NodeJS.ProcessEnv = {}) =>
  loadConnectSettings(argv, tty, env);

test('login: --password asks, --password-file names a file, PARLEY_PASSWORD is read; account defaults to the nick', () => {
  assert.deepEqual(load(['host', '--password', '-n', 'alice']).login, { kind: 'ask' });
  assert.equal(load(['host', '--password', '-n', 'alice']).account, 'alice');
  assert.deepEqual(load(['--password-file', 'pw.txt']).login, { kind: 'file', path: 'pw.txt' });
  const env = load(['-n', 'bob', '--account', 'robert'], false, { PARLEY_PASSWORD: 'x' });
  assert.deepEqual(env.login, { kind: 'env', value: 'x' });
  assert.equal(env.account, 'robert');
  assert.equal(load([]).login, null);
  assert.equal(load(['--server-password', 'pass']).password, 'pass');
  assert.equal(load(['--no-history']).history, false);
  assert.equal(load(['--password', '--sasl-required']).saslRequired, true);
});

test('login flag errors are one line naming the flag, and never repeat a secret', () => {
  for (const [argv, tty, pattern] of [
    [['--password', 's3cret'], true, /--password takes no value.*--server-password/],
    [
      ['--password'],
      false,
      /--password asks at a terminal.*--password-file FILE or PARLEY_PASSWORD/,
    ],
    [['--password', '--password-file', 'f'], true, /give one of them/],
    [['--account', 'alice'], true, /--account needs a password/],
    [['--sasl-required'], true, /--sasl-required needs a password/],
  ] as const) {
    assert.throws(
      () => load([...argv], tty),
      (err: unknown) =>
        err instanceof CliError &&
        pattern.test(err.message) &&
        !err.message.includes('s3cret') &&
        !err.message.includes('\n'),
      argv.join(' '),
    );
  }
});

test('--password-file: the first line is the password; a missing file is one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-pw-'));
  const file = join(dir, 'pw');
  writeFileSync(file, 'first line\r\nsecond\n');
  assert.equal(await accountPassword({ kind: 'file', path: file }), 'first line');
  await assert.rejects(
    accountPassword({ kind: 'file', path: join(dir, 'none') }),
    /--password-file: cannot read .* \(ENOENT\)/,
  );
  writeFileSync(file, '\nsecond\n');
  await assert.rejects(
    accountPassword({ kind: 'file', path: file }),
    /an empty password from --password-file/,
  );
});
