// Interop test: real irssi (driven in tmux) and a raw client chat through the real parley binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestClient } from '../helpers/irc.js';
import { haveTools, TmuxSession } from '../helpers/tmux.js';
import { startServe, type ServeProcess } from './serve.js';

const NICK = 'irssiuser';
const STEP_MS = 10_000;

/** An irssi config with no networks, servers or channels of its own: it only talks to 127.0.0.1. */
function irssiConfig(): string {
  return `servers = ( );
chatnets = { };
channels = ( );
settings = {
  core = {
    real_name = "irssi interop test";
    user_name = "${NICK}";
    nick = "${NICK}";
    hostname = "";
    settings_autosave = "no";
    resolve_prefer_ipv6 = "no";
    use_proxy = "no";
  };
  "irc/core" = { cmd_queue_speed = "10msec"; };
  "irc/dcc" = { dcc_autoget = "no"; dcc_autochat_masks = ""; };
  "fe-common/core" = { autolog = "no"; };
};
`;
}

test(
  'irssi in tmux chats with a raw client through the parley binary',
  { timeout: 60_000 },
  async (t) => {
    if (!haveTools(t, ['irssi', '--version'], ['tmux', '-V'])) return;

    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-irssi-'));
    const rawlog = path.join(dir, 'raw.log');
    let server: ServeProcess | undefined;
    let irssi: TmuxSession | undefined;
    let alice: TestClient | undefined;
    try {
      server = await startServe(['--flood', 'off']);
      alice = await TestClient.register(server.port, 'alice');

      irssi = await startIrssi(dir, server.port);

      // irssi registers and is joined to #lobby by the server.
      await alice.expect(
        (m) => m.command === 'JOIN' && m.params[0] === '#lobby' && isFrom(m.source, NICK),
        STEP_MS,
        `${NICK} joining #lobby`,
      );
      await irssi.waitForScreen(/End of \/MOTD command/, { what: 'the end of the MOTD' });
      // irssi asks this (and swallows the next line typed) if the config names a setting it lacks.
      assert.doesNotMatch(
        await irssi.capture(),
        /Remove unknown settings/,
        'irssi config rejected',
      );
      // Keep irssi's raw traffic (it writes what it has buffered so far too) for the report below.
      await irssi.type(`/rawlog open ${rawlog}`);
      await gotoWindow(irssi, '#lobby');

      // irssi → channel: typed into the #lobby window.
      await irssi.type('hello from irssi');
      const fromIrssi = await alice.expect(
        (m) => m.command === 'PRIVMSG' && m.params[0] === '#lobby',
        STEP_MS,
        'irssi’s channel message',
      );
      assert.equal(fromIrssi.params[1], 'hello from irssi');
      assert.ok(isFrom(fromIrssi.source, NICK), `source ${fromIrssi.source}`);
      await irssi.waitForScreen(/<[ @+]?irssiuser> hello from irssi/, { what: 'irssi’s own line' });

      // channel → irssi.
      alice.send('PRIVMSG #lobby :hi irssi, alice here');
      await irssi.waitForScreen(/<[ @+]?alice> hi irssi, alice here/, {
        timeoutMs: STEP_MS,
        what: 'alice’s channel message in the #lobby window',
      });

      // private message → irssi, which opens a query window named after alice.
      alice.send(`PRIVMSG ${NICK} :psst, just you`);
      await gotoWindow(irssi, 'alice');
      await irssi.waitForScreen(/<alice> psst, just you/, {
        timeoutMs: STEP_MS,
        what: 'alice’s private message in the query window',
      });

      // irssi → private message.
      await irssi.type('/msg alice hi there');
      const pm = await alice.expect(
        (m) => m.command === 'PRIVMSG' && m.params[0] === 'alice',
        STEP_MS,
        'irssi’s private message',
      );
      assert.equal(pm.params[1], 'hi there');
      assert.ok(isFrom(pm.source, NICK), `source ${pm.source}`);

      // irssi quits: alice sees it go, and irssi exits.
      await irssi.type('/quit see you');
      const quit = await alice.expect(
        (m) => m.command === 'QUIT' && isFrom(m.source, NICK),
        STEP_MS,
        `${NICK} quitting`,
      );
      assert.match(quit.params[0] ?? '', /see you/);
      await irssi.waitForExit(STEP_MS);
      await alice.quit();

      // The server console shows the conversation, with nicknames, in order.
      await server.waitForConsole(/<-- alice quit/);
      assertInOrder(server.stdout(), [
        /^\d\d:\d\d:\d\d #lobby --> alice joined$/,
        /^\d\d:\d\d:\d\d #lobby --> irssiuser joined$/,
        /^\d\d:\d\d:\d\d #lobby <irssiuser> hello from irssi$/,
        /^\d\d:\d\d:\d\d #lobby <alice> hi irssi, alice here$/,
        /^\d\d:\d\d:\d\d alice -> irssiuser: psst, just you$/,
        /^\d\d:\d\d:\d\d irssiuser -> alice: hi there$/,
        /^\d\d:\d\d:\d\d <-- irssiuser quit \(.*see you\)$/,
      ]);

      assertNoErrorReplies((await readRawlog(rawlog)).split('\n'));
    } catch (err) {
      // Leave a trail: what irssi and the server said, as far as we got.
      if (irssi) await irssi.type('/rawlog close').catch(() => {});
      const trail = [
        'irssi raw log (<< sent, >> received):',
        ...(await readRawlog(rawlog)).split('\n').slice(-80),
        'server stderr:',
        ...(server?.stderr() ?? '').split('\n').slice(-40),
      ];
      for (const line of trail) t.diagnostic(line);
      throw err;
    } finally {
      if (irssi) await irssi.kill();
      alice?.destroy();
      if (server) await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test(
  'irssi in a large channel (+u): it joins quietly, is told why, and chats as before',
  { timeout: 60_000 },
  async (t) => {
    if (!haveTools(t, ['irssi', '--version'], ['tmux', '-V'])) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-irssi-'));
    const rawlog = path.join(dir, 'raw.log');
    let server: ServeProcess | undefined;
    let irssi: TmuxSession | undefined;
    const others: TestClient[] = [];
    try {
      // Two members already: irssi is the third, past the threshold.
      server = await startServe(['--flood', 'off', '--large-lobby', '2']);
      const alice = await TestClient.register(server.port, 'alice');
      const bob = await TestClient.register(server.port, 'bob');
      others.push(alice, bob);
      irssi = await startIrssi(dir, server.port);
      await alice.expectCommand('MODE', '#lobby', '+u');
      await irssi.waitForScreen(/#lobby is a large channel/, { what: 'the +u notice' });
      await irssi.type(`/rawlog open ${rawlog}`);
      await gotoWindow(irssi, '#lobby');

      // Both ways, as in any channel.
      await irssi.type('hello, large channel');
      const said = await alice.expect(
        (m) => m.command === 'PRIVMSG' && m.params[0] === '#lobby',
        STEP_MS,
        'irssi’s channel message',
      );
      assert.equal(said.params[1], 'hello, large channel');
      alice.send('PRIVMSG #lobby :welcome, quiet one');
      await irssi.waitForScreen(/<[ @+]?alice> welcome, quiet one/, {
        timeoutMs: STEP_MS,
        what: 'alice’s message in #lobby',
      });
      // irssi's own WHO of the channel (it asks for channels under 1000 names) comes back whole.
      await irssi.waitForScreen(/Join to #lobby was synced/, {
        timeoutMs: STEP_MS,
        what: 'irssi’s channel sync',
      });
      // alice is an operator, so irssi's names list has her, and her going is shown.
      await alice.quit('off now');
      await irssi.waitForScreen(/alice .*has quit.*off now/, {
        timeoutMs: STEP_MS,
        what: 'alice quitting',
      });
      await irssi.type('/rawlog close');
      const raw = (await readRawlog(rawlog)).split('\n');
      assert.ok(raw.some((l) => /^>> :parley\.local 315 irssiuser #lobby /.test(l)));
      assertNoErrorReplies(raw);
      // alice never saw irssi arrive.
      assert.equal(
        alice.all('JOIN').filter((m) => isFrom(m.source, NICK)).length,
        0,
        'irssi joined quietly',
      );
      await irssi.type('/quit');
      await irssi.waitForExit(STEP_MS);
    } catch (err) {
      const trail = [
        'irssi raw log (<< sent, >> received):',
        ...(await readRawlog(rawlog)).split('\n').slice(-80),
        'server stderr:',
        ...(server?.stderr() ?? '').split('\n').slice(-40),
      ];
      for (const line of trail) t.diagnostic(line);
      throw err;
    } finally {
      if (irssi) await irssi.kill();
      for (const c of others) c.destroy();
      if (server) await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);

/** irssi in a tmux session under `dir`, connecting to the server on `port` as NICK. */
async function startIrssi(dir: string, port: number): Promise<TmuxSession> {
  const home = path.join(dir, 'irssi');
  await mkdir(home);
  await writeFile(path.join(home, 'config'), irssiConfig());
  return TmuxSession.start({
    socket: path.join(dir, 'tmux.sock'),
    name: 'irssi',
    width: 200,
    height: 50,
    cwd: dir,
    env: { HOME: dir, LANG: 'C.UTF-8' },
    command: ['irssi', `--home=${home}`, '-c', '127.0.0.1', '-p', String(port), '-n', NICK],
  });
}

/**
 * No error replies in irssi's raw log but one: irssi probes for CAP support by sending a bogus
 * `JOIN :` right after `CAP LS 302` (irssi's irc-servers.c: "to detect non-CAP servers, send this
 * bogus join"), and a server must refuse a command before registration with 451. irssi only acts
 * on that 451 if no CAP LS reply came first, so the order matters too.
 */
function assertNoErrorReplies(raw: string[]): void {
  const at = (pattern: RegExp) => raw.findIndex((l) => pattern.test(l));
  assert.notEqual(at(/^>> :parley\.local 001 irssiuser /), -1, 'the raw log covers registration');
  const probe = at(/^<< JOIN :$/);
  const notRegistered = '>> :parley.local 451 * :You have not registered';
  assert.deepEqual(
    raw.filter((l) => /^>> (@\S+ )?:\S+ [45]\d\d /.test(l)),
    probe === -1 ? [] : [notRegistered],
    `error replies irssi got:\n${raw.join('\n')}`,
  );
  if (probe !== -1) {
    const capLs = at(/^>> :parley\.local CAP \* LS /);
    assert.ok(capLs !== -1 && capLs < raw.indexOf(notRegistered), 'CAP LS answered first');
  }
  assert.notEqual(at(/^>> :parley\.local CAP \* ACK :multi-prefix/), -1, 'irssi got its caps');
}

function readRawlog(file: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => '(no raw log)');
}

function isFrom(source: string | null | undefined, nick: string): boolean {
  return typeof source === 'string' && source.startsWith(`${nick}!`);
}

/** Switch irssi to the window named (or holding) `name`, retrying until it exists. */
async function gotoWindow(irssi: TmuxSession, name: string): Promise<void> {
  const deadline = Date.now() + STEP_MS;
  const prompt = new RegExp(`^\\[${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]`, 'm');
  for (;;) {
    await irssi.type(`/window goto ${name}`);
    try {
      await irssi.waitForScreen(prompt, { timeoutMs: 1000, what: `the ${name} window` });
      return;
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
  }
}

/** Each pattern matches a line of `text`, later than the line the previous one matched. */
function assertInOrder(text: string, patterns: RegExp[]): void {
  const lines = text.split('\n');
  let at = -1;
  for (const p of patterns) {
    const k = lines.findIndex((l, i) => i > at && p.test(l));
    assert.ok(k !== -1, `console line ${String(p)} missing after line ${at + 1}:\n${text}`);
    at = k;
  }
}
