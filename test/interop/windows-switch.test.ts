// End to end, full-screen client in tmux against the real server: with two channels and a private chat fed in turns, each window shows only its own lines, in order, and PageUp pages back through the current window's lines only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestClient } from '../helpers/irc.js';
import { startServe, type ServeProcess } from './serve.js';
import { haveTmux } from '../helpers/tmux.js';
import { clientPane, type ClientPane } from './windows-kit.js';

const WIDTH = 90;
const HEIGHT = 20;
const ROUNDS = 6;
const MORE = 60;

const isFrom = (source: string | null, nick: string): boolean =>
  source !== null && source.split('!')[0] === nick;

/** The test lines on screen, as `lobby 3`, `dev 3`, `pm 3`, top to bottom. */
function tagged(screen: string): string[] {
  return [...screen.matchAll(/\b((?:lobby|dev|pm) \d+)$/gm)].map((m) => m[1]);
}

const range = (word: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, k) => `${word} ${from + k}`);

test(
  'windows: two channels and a private chat — switching shows only that window’s lines, in order; PageUp pages back through the current window only',
  {
    timeout: 90_000,
  },
  async (t) => {
    if (!haveTmux(t)) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-wswitch-'));
    let server: ServeProcess | undefined;
    let pane: ClientPane | undefined;
    let dave: TestClient | undefined;
    try {
      server = await startServe(['--flood', 'off', '--db', 'off']);
      dave = await TestClient.register(server.port, 'dave');
      dave.send('JOIN #dev');
      await dave.expectCommand('366');
      pane = await clientPane({
        dir,
        port: server.port,
        name: 'carol',
        args: ['--nick', 'carol', '--channel', '#lobby,#dev'],
        width: WIDTH,
        height: HEIGHT,
      });
      const p = pane;
      await p.wait(/^ ?#lobby \| carol \| connected/m, 'carol connected in #lobby');
      await dave.expect(
        (m) => m.command === 'JOIN' && m.params[0] === '#dev' && isFrom(m.source, 'carol'),
        10_000,
        'carol in #dev',
      );

      // In turns: a line in #lobby, one in #dev, one to carol alone (window 4 opens with the first).
      for (let k = 1; k <= ROUNDS; k++) {
        dave.send(`PRIVMSG #lobby :lobby ${k}`);
        dave.send(`PRIVMSG #dev :dev ${k}`);
        dave.send(`PRIVMSG carol :pm ${k}`);
      }
      await dave.sync();
      await p.wait(
        new RegExp(`\\[#dev ${ROUNDS}\\] \\[dave ${ROUNDS}\\*\\]`),
        'both counted unread',
      );

      const windows: Array<[string, string, RegExp, string]> = [
        ['M-2', 'lobby', /^ ?#lobby \| carol/m, '#lobby'],
        ['M-3', 'dev', /^ ?#dev \| carol/m, '#dev'],
        ['M-4', 'pm', /^ ?dave \| carol/m, 'the private chat'],
        ['M-3', 'dev', /^ ?#dev \| carol/m, '#dev again'],
        ['M-2', 'lobby', /^ ?#lobby \| carol/m, '#lobby again'],
      ];
      for (const [key, word, status, what] of windows) {
        await p.tmux.press(key);
        await p.wait(status, `${what} current`);
        const screen = (await p.wait(new RegExp(`${word} ${ROUNDS}$`, 'm'), `${what}'s lines`))
          .input;
        assert.deepEqual(tagged(screen ?? ''), range(word, 1, ROUNDS), `${what}:\n${screen}`);
      }

      // More in both channels, in turns, than #lobby's window holds: the oldest scroll away.
      for (let k = ROUNDS + 1; k <= ROUNDS + MORE; k++) {
        dave.send(`PRIVMSG #lobby :lobby ${k}`);
        dave.send(`PRIVMSG #dev :dev ${k}`);
      }
      const last = ROUNDS + MORE;
      let screen = (await p.wait(new RegExp(`lobby ${last}$`, 'm'), 'the newest #lobby line'))
        .input;
      let shown = tagged(screen ?? '');
      assert.deepEqual(shown, range('lobby', last - shown.length + 1, last), screen);
      const newest = shown;

      // PageUp: older #lobby lines, consecutive, none of #dev's; again: older still.
      await p.tmux.press('PageUp');
      screen = (await p.wait(/more below/, 'scrolled up')).input;
      shown = tagged(screen ?? '');
      assert.ok(shown.length > 5, screen);
      const first = Number(shown[0].split(' ')[1]);
      assert.deepEqual(shown, range('lobby', first, first + shown.length - 1), screen);
      assert.ok(!shown.includes(`lobby ${last}`), `the newest line scrolled away:\n${screen}`);
      await p.tmux.press('PageUp');
      await p.wait(new RegExp(`lobby ${first - 1}$`, 'm'), 'older still');
      screen = await p.tmux.capture();
      shown = tagged(screen);
      const top = Number(shown[0].split(' ')[1]);
      assert.ok(top < first, screen);
      assert.deepEqual(shown, range('lobby', top, top + shown.length - 1), screen);

      // PageDown twice: back at the newest lines.
      await p.tmux.press('PageDown');
      await p.tmux.press('PageDown');
      screen = (await p.wait(new RegExp(`lobby ${last}$`, 'm'), 'the newest line again')).input;
      assert.deepEqual(tagged(screen ?? ''), newest, screen);
      assert.doesNotMatch(screen ?? '', /more below/);
    } finally {
      await pane?.tmux.kill();
      dave?.destroy();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
