// The client's config file: real files in a temp XDG_CONFIG_HOME, read through loadConnectSettings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConnectSettings } from '../../src/cli/connect-options.js';
import { CliError } from '../../src/cli/errors.js';

/** Run `body` with an env whose XDG_CONFIG_HOME holds parley/client.yaml with `yaml` (if given). */
function withConfig(yaml: string | null, body: (env: NodeJS.ProcessEnv, file: string) => void) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-client-config-'));
  const file = path.join(dir, 'parley', 'client.yaml');
  try {
    if (yaml !== null) {
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, yaml);
    }
    body({ XDG_CONFIG_HOME: dir }, file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const CONFIG = [
  'server: chat.example.org:7000',
  'nick: alice',
  'tls: true',
  'password-file: ~/.parley-pw',
  'known-hosts: pins',
  "channel: '#dev'",
  'no-history: true',
  '',
].join('\n');

test('client.yaml in the XDG config dir gives the defaults: server, nick, switches, files', () =>
  withConfig(CONFIG, (env, file) => {
    const s = loadConnectSettings([], true, env);
    assert.equal(s.host, 'chat.example.org');
    assert.equal(s.port, 7000);
    assert.equal(s.nick, 'alice');
    assert.equal(s.tls, true);
    assert.equal(s.channel, '#dev');
    assert.equal(s.history, false);
    assert.deepEqual(s.login, { kind: 'file', path: path.join(os.homedir(), '.parley-pw') });
    assert.equal(s.knownHosts, path.join(path.dirname(file), 'pins'), 'beside the file');
  }));

test('the full-screen view is the default; inline: and nicklist: in the file choose otherwise', () => {
  withConfig(null, (env) => {
    const s = loadConnectSettings([], true, env);
    assert.deepEqual([s.inline, s.nicklist], [false, false]);
    assert.equal(loadConnectSettings(['--inline'], true, env).inline, true);
  });
  withConfig('inline: true\nnicklist: true\n', (env) => {
    const s = loadConnectSettings([], true, env);
    assert.deepEqual([s.inline, s.nicklist], [true, true]);
  });
});

test('the command line wins over the file, and --no-config leaves the file out', () =>
  withConfig(CONFIG, (env) => {
    const s = loadConnectSettings(['other.host', '-n', 'bob', '--channel', 'ops'], true, env);
    assert.equal(s.host, 'other.host');
    assert.equal(s.port, 6697, "the file's tls still holds: the TLS port");
    assert.equal(s.nick, 'bob');
    assert.equal(s.channel, '#ops');
    const two = loadConnectSettings(['-c', 'dev, #ops'], true, env);
    assert.deepEqual([two.channel, two.channels], ['#dev', ['#dev', '#ops']]);
    const bare = loadConnectSettings(['--no-config', '-n', 'carol'], true, env);
    assert.equal(bare.host, 'localhost');
    assert.equal(bare.tls, false);
    assert.equal(bare.login, null);
  }));

test('password: true in the file does not turn the HOST on the command line into a password', () =>
  withConfig('password: true\n', (env) => {
    const s = loadConnectSettings(['chat.example.org'], true, env);
    assert.equal(s.host, 'chat.example.org');
    assert.deepEqual(s.login, { kind: 'ask' });
  }));

test('no file is fine; --config names one, and every problem is one line with file:line', () =>
  withConfig(null, (env, file) => {
    assert.equal(loadConnectSettings([], true, env).host, 'localhost');
    const fails = (argv: string[], why: RegExp) =>
      assert.throws(
        () => loadConnectSettings(argv, true, env),
        (err: unknown) => {
          assert.ok(err instanceof CliError, String(err));
          assert.ok(!err.message.includes('\n'), err.message);
          assert.match(err.message, why);
          return true;
        },
      );
    fails(['--config', file], /cannot read .*client\.yaml/);
    fails(['--config='], /--config: expected a file name/);
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, 'nick: alice\ncolour: true\n');
    fails([], /client\.yaml:2: colour: unknown key .*parley connect --help/);
    fs.writeFileSync(file, 'tls: maybe\n');
    fails([], /client\.yaml:1: tls: expected true or false, got 'maybe'/);
    fs.writeFileSync(file, 'nick: [alice\n');
    fails([], /client\.yaml:\d+: not valid YAML/);
    fs.writeFileSync(file, 'help: true\n');
    fails([], /help: unknown key/);
  }));

test('--log logs into the XDG data dir, --log-dir (or log-dir: beside the file) elsewhere; --notify-with picks the sequence', () =>
  withConfig('log-dir: chat-logs\nnotify: true\n', (env, file) => {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-data-'));
    const withData = { ...env, XDG_DATA_HOME: data, TERM: 'xterm-256color' };
    const fromFile = loadConnectSettings([], true, withData);
    assert.equal(fromFile.logDir, path.join(path.dirname(file), 'chat-logs'));
    assert.equal(fromFile.notify, 'osc9');
    const bare = loadConnectSettings(['--no-config'], true, withData);
    assert.equal(bare.logDir, null, 'off by default');
    assert.equal(bare.notify, null, 'off by default');
    const on = loadConnectSettings(['--no-config', '--log'], true, withData);
    assert.equal(on.logDir, path.join(data, 'parley', 'logs'));
    const here = loadConnectSettings(['--no-config', '--log-dir', 'x'], true, withData);
    assert.equal(here.logDir, path.resolve('x'));
    const both = loadConnectSettings(['--no-config', '--notify-with', 'both'], true, withData);
    assert.equal(both.notify, 'both');
    assert.throws(
      () => loadConnectSettings(['--no-config', '--notify-with', 'osc99'], true, withData),
      (e: unknown) =>
        e instanceof CliError &&
        e.message === "--notify-with: 'osc99' is not one of auto, osc9, osc777, both",
    );
    assert.throws(
      () => loadConnectSettings(['--no-config', '--log-dir='], true, withData),
      /--log-dir: expected a folder/,
    );
    fs.rmSync(data, { recursive: true, force: true });
  }));
