// What README and --help promise, checked against the tables the program runs on: client commands, serve and connect flags, offered capabilities, NO_COLOR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeCertificate } from '../../src/cli/certgen.js';
import { loadConnectSettings } from '../../src/cli/connect-options.js';
import { CONNECT_OPTIONS } from '../../src/cli/connect-table.js';
import { SERVE_OPTIONS } from '../../src/cli/serve-options.js';
import { COMMANDS } from '../../src/client/commands.js';
import { CAP } from '../../src/protocol/index.js';
import { startServer, TestClient } from '../helpers/irc.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const README = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

function help(command: string): string {
  const r = spawnSync(process.execPath, [MAIN, command, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/\s+/g, ' '); // as one line: the text wraps anywhere
}

/** The README table whose header row starts with `| ${first} `, as rows of cells. */
function readmeTable(first: string): string[][] {
  const lines = README.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${first} `));
  assert.ok(start !== -1, `README has a table starting with '${first}'`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split(/(?<!\\)\|/).map((c) => c.trim()));
  }
  return rows;
}

test("README's command table lists every client command with its aliases", () => {
  const rows = readmeTable('command');
  for (const spec of COMMANDS) {
    const row = rows.find((r) => r[1].startsWith(`\`/${spec.name}`));
    assert.ok(row, `README has no row for /${spec.name}`);
    for (const alias of spec.aliases) {
      assert.ok(row[2].includes(`\`/${alias}\``), `README's /${spec.name} row names /${alias}`);
    }
  }
  assert.equal(rows.length, COMMANDS.length, 'no row for a command that does not exist');
});

test('README names every serve flag; each --help lists every flag of its table', () => {
  const serveHelp = help('serve');
  for (const o of SERVE_OPTIONS) {
    assert.ok(README.includes(`\`--${o.flag}`), `README does not mention --${o.flag}`);
    assert.ok(serveHelp.includes(`--${o.flag} ${o.arg}`), `serve --help lacks --${o.flag}`);
    assert.ok(serveHelp.includes(`[${o.shown}]`), `serve --help lacks the default of --${o.flag}`);
  }
  const connectHelp = help('connect');
  for (const o of CONNECT_OPTIONS) {
    assert.ok(connectHelp.includes(`--${o.flag}`), `connect --help lacks --${o.flag}`);
  }
  assert.match(connectHelp, /NO_COLOR/);
  assert.match(README, /`NO_COLOR`/);
});

test('NO_COLOR set and not empty turns colours off, as no-color.org says; --no-color too', () => {
  const before = process.env.NO_COLOR;
  try {
    delete process.env.NO_COLOR;
    assert.equal(loadConnectSettings([], true).color, true);
    assert.equal(loadConnectSettings(['--no-color'], true).color, false);
    process.env.NO_COLOR = '';
    assert.equal(loadConnectSettings([], true).color, true);
    process.env.NO_COLOR = '1';
    assert.equal(loadConnectSettings([], true).color, false);
  } finally {
    if (before === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = before;
  }
});

test("CAP LS offers exactly the capabilities README's IRCv3 row names (nothing without code behind it)", async () => {
  const row = readmeTable('area').find((r) => r[1] === 'IRCv3');
  assert.ok(row, "README's features table has an IRCv3 row");
  const known: string[] = Object.values(CAP);
  const promised = known.filter((name) => new RegExp(`(^|[ ,])${name}([ ,(]|$)`).test(row[2]));
  // With TLS on, so that `sts` is offered too.
  const { cert, key } = makeCertificate(['localhost'], 1);
  const srv = await startServer({ tls: { port: 0, cert, key } });
  try {
    const c = await TestClient.connect(srv.port);
    c.send('CAP LS 302');
    const ls = await c.expectCommand('CAP', '*', 'LS');
    const offered = ls.params[2].split(' ').map((w) => w.split('=')[0]);
    assert.deepEqual(offered.sort(), promised.sort());
    c.destroy();
  } finally {
    await srv.stop();
  }
});
