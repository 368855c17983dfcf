// End to end: `parley connect`'s full-screen windows in a real pseudo-terminal (tmux) against the real server binary — catch-up into a window, activity, switching, paging, leaving the alternate screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestClient } from '../helpers/irc.js';
import { haveTmux, TmuxSession } from '../helpers/tmux.js';
import { MAIN, startServe, type ServeProcess } from './serve.js';

const STEP_MS = 10_000;
const WIDTH = 100;
const HEIGHT = 24;

const isFrom = (source: string | null, nick: string): boolean =>
  source !== null && source.split('!')[0] === nick;

test(
  'windows: catch-up marked unread, activity elsewhere, Alt-N and /window switch, PageUp pages, /quit restores the screen',
  { timeout: 120_000 },
  async (t) => {
    if (!haveTmux(t)) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-windows-'));
    let server: ServeProcess | undefined;
    let term: TmuxSession | undefined;
    let dave: TestClient | undefined;
    try {
      server = await startServe(['--flood', 'off', '--db', ':memory:']);
      dave = await TestClient.register(server.port, 'dave');
      dave.send('JOIN #dev');
      await dave.expectCommand('366');
      // Said before carol comes: her client fetches it from the server's history.
      for (const k of [1, 2, 3]) dave.send(`PRIVMSG #lobby :missed line ${k}`);
      await dave.sync();

      const script = `node "$0" connect "$1" --nick carol -c '#lobby,#dev'; echo "exit=$?"; exec sleep 60`;
      term = await TmuxSession.start({
        socket: path.join(dir, 'tmux.sock'),
        name: 'carol',
        width: WIDTH,
        height: HEIGHT,
        cwd: dir,
        env: { TERM: 'xterm-256color', LANG: 'C.UTF-8' },
        command: ['sh', '-c', script, MAIN, `127.0.0.1:${server.port}`],
      });
      const tmux = term;
      const wait = (re: RegExp, what: string) =>
        tmux.waitForScreen(re, { timeoutMs: STEP_MS, what });
      const screen = () => tmux.capture();
      const alternate = async () =>
        (await tmux.tmux('display', '-p', '-t', 'carol', '#{alternate_on}')).trim();

      // Window 2 (#lobby) is on screen, with what was missed: marked history, after the unread rule.
      await wait(/^ ?#lobby \| carol \| connected/m, 'the status line: #lobby, carol, connected');
      await wait(/\[history\] <dave> missed line 3/, 'the missed lines, replayed');
      let s = await screen();
      assert.equal(await alternate(), '1', 'the alternate screen is in use');
      const rows = s.split('\n');
      const rule = rows.findIndex((r) => r.startsWith('─── unread'));
      const first = rows.findIndex((r) => /\[history\] <dave> missed line 1$/.test(r));
      assert.ok(
        rule !== -1 && rule === first - 1,
        `the unread rule just above the missed lines:\n${s}`,
      );
      assert.equal(s.match(/missed line 2/g)?.length, 1, 'each line once');
      await dave.expect(
        (m) => m.command === 'JOIN' && m.params[0] === '#dev' && isFrom(m.source, 'carol'),
        STEP_MS,
        'carol joining #dev',
      );

      // A line in #dev, not on screen: counted on the status line only.
      dave.send('PRIVMSG #dev :only in dev');
      await wait(/\[#dev 1\]/, 'an unread count for #dev');
      assert.doesNotMatch(await screen(), /only in dev/);
      dave.send('PRIVMSG carol :psst');
      await wait(/\[dave 1\*\]/, 'a private message, marked');
      assert.doesNotMatch(await screen(), /psst/);

      // Alt-3 shows #dev (1 is the server window, 2 #lobby): its line, not #lobby's.
      await tmux.press('M-3');
      await wait(/^ ?#dev \| carol \| connected/m, '#dev current');
      s = await wait(/<dave> only in dev/, "#dev's line").then(screen);
      assert.doesNotMatch(s, /missed line/);
      assert.match(s, /^\[#dev\]/m, 'the prompt says where lines go');
      // /window 4: the private chat; /window 2: back to #lobby.
      await tmux.type('/window 4');
      await wait(/^ ?dave \| carol \| connected/m, 'the private chat current');
      await wait(/\[dave → you\] psst/, 'the private message in its window');
      await tmux.type('/window 2');
      await wait(/^ ?#lobby \| carol \| connected/m, '#lobby current again');

      // Forty lines in #lobby: the oldest scroll off; PageUp brings them back, PageDown returns.
      for (let k = 1; k <= 40; k++) dave.send(`PRIVMSG #lobby :fill ${k}`);
      await wait(/<dave> fill 40$/m, 'the last fill line');
      assert.doesNotMatch(await screen(), /fill 10$/m);
      await tmux.press('PageUp');
      s = await wait(/<dave> fill 10$/m, 'older lines after PageUp').then(screen);
      assert.doesNotMatch(s, /fill 40$/m, 'the newest line scrolled away');
      assert.match(s, /more below/);
      assert.doesNotMatch(s, /only in dev|psst/, 'only this window');
      await tmux.press('PageDown');
      await wait(/<dave> fill 40$/m, 'back at the newest line');

      // Narrower, then wider again: redrawn from the window's lines, every one still there.
      await tmux.tmux('resize-window', '-t', 'carol', '-x', '40');
      await wait(/^\[#lobby\]/m, 'redrawn at 40 columns');
      await tmux.tmux('resize-window', '-t', 'carol', '-x', String(WIDTH));
      await tmux.press('PageUp');
      s = await wait(/<dave> fill 10$/m, 'older lines, after two resizes').then(screen);
      const fills = [...s.matchAll(/<dave> fill (\d+)$/gm)].map((m) => Number(m[1]));
      assert.ok(fills.length > 5, s);
      fills.forEach((n, k) => k === 0 || assert.equal(n, fills[k - 1] + 1, `no line lost:\n${s}`));
      await tmux.press('PageDown');
      await wait(/<dave> fill 40$/m, 'back at the newest line');

      // /quit: the alternate screen is left, the shell's screen is back as it was.
      await tmux.type('/quit see you');
      const quit = await dave.expect(
        (m) => m.command === 'QUIT' && isFrom(m.source, 'carol'),
        STEP_MS,
        "carol's QUIT",
      );
      assert.match(quit.params[0] ?? '', /see you/);
      await wait(/^exit=0$/m, 'the client exiting with 0');
      assert.equal(await alternate(), '0', 'back on the normal screen');
      s = await screen();
      assert.doesNotMatch(s, /fill|carol \| connected/, `nothing of the windows left:\n${s}`);
      const visible = (await tmux.tmux('display', '-p', '-t', 'carol', '#{cursor_flag}')).trim();
      assert.equal(visible, '1', 'cursor shown after exit');
    } finally {
      await term?.kill();
      dave?.destroy();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);

for (const how of ['a double Ctrl-C', 'the server going away'] as const) {
  test(`windows: ${how} leaves the alternate screen too`, { timeout: 60_000 }, async (t) => {
    if (!haveTmux(t)) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-windows-'));
    let server: ServeProcess | undefined;
    let term: TmuxSession | undefined;
    try {
      server = await startServe(['--flood', 'off', '--db', 'off']);
      const script =
        'node "$0" connect "$1" --nick erin --no-reconnect; echo "exit=$?"; exec sleep 60';
      term = await TmuxSession.start({
        socket: path.join(dir, 'tmux.sock'),
        name: 'erin',
        width: 80,
        height: 12,
        env: { TERM: 'xterm-256color', LANG: 'C.UTF-8' },
        command: ['sh', '-c', script, MAIN, `127.0.0.1:${server.port}`],
      });
      const tmux = term;
      await tmux.waitForScreen(/#lobby \| erin \| connected/, { what: 'connected' });
      if (how === 'a double Ctrl-C') {
        await tmux.press('C-c');
        await tmux.press('C-c');
        await tmux.waitForScreen(/^exit=0$/m, { what: 'a clean exit' });
      } else {
        await server.stop();
        // Why it ended stays readable on the normal screen.
        await tmux.waitForScreen(/disconnected: Server shutting down\nexit=1$/m, {
          what: 'the reason, then exit 1',
        });
      }
      const flags = await tmux.tmux(
        'display',
        '-p',
        '-t',
        'erin',
        '#{alternate_on} #{cursor_flag}',
      );
      assert.equal(flags.trim(), '0 1', 'normal screen, cursor shown');
    } finally {
      await term?.kill();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
