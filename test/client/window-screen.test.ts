// Tests for the full-screen renderer (one write per frame, only changed rows, the terminal scrolling for us, the alternate screen) and for the controller telling a windowed view where lines go, against a real server.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ChatController, type LineInfo, type View } from '../../src/client/app.js';
import type { WindowAction } from '../../src/client/input.js';
import { SERVER_WINDOW_ID } from '../../src/client/route.js';
import {
  bodySize,
  MIN_COLUMNS,
  tooSmallRows,
  WindowScreen,
  type WindowFrame,
} from '../../src/client/ui/window-screen.js';
import { displayWidth } from '../../src/client/ui/width.js';
import { nickRows, WindowSurface } from '../../src/client/ui/windowed.js';
import { startServer, TestClient } from '../helpers/irc.js';
import { StubController } from '../helpers/stub-controller.js';
import { Terminal } from '../helpers/vt.js';
import { connected, newSession } from './session-kit.js';

class FakeTerm {
  writes: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
  ) {}
  write(s: string): void {
    this.writes.push(s);
  }
  get last(): string {
    return this.writes.at(-1) ?? '';
  }
}

function frame(body: string[], over: Partial<WindowFrame> = {}): WindowFrame {
  return {
    body,
    nicks: null,
    nickWidth: 0,
    status: ' #lobby | carol ',
    prompt: '[#lobby] ',
    text: '',
    cursor: 0,
    ...over,
  };
}

describe('WindowScreen', () => {
  test('start takes the alternate screen, stop gives the normal one back, cursor shown', () => {
    const term = new FakeTerm(40, 10);
    const s = new WindowScreen(term);
    s.start();
    assert.match(term.last, /\x1b\[\?1049h/);
    assert.match(term.last, /\x1b\[\?2004h/, 'bracketed paste on');
    s.stop();
    assert.match(term.last, /\x1b\[\?1049l/);
    assert.match(term.last, /\x1b\[\?25h/);
    assert.match(term.last, /\x1b\[\?2004l/);
  });

  test('the prompt: a third of the width, a question (a password) all but the last column', () => {
    const term = new FakeTerm(30, 6);
    const s = new WindowScreen(term);
    const prompt = 'Password for the new account: ';
    s.render(frame(['a'], { prompt, text: 'typed', cursor: 5 }));
    assert.match(term.last, /Password …typed/, 'a third: 10 cells');
    s.render(frame(['a'], { prompt, question: true }));
    assert.match(term.last, /Password for the new account…/, '29 cells');
  });

  test('one write per frame; an unchanged frame writes no rows', () => {
    const term = new FakeTerm(40, 6);
    const s = new WindowScreen(term);
    s.render(frame(['a', 'b', 'c', 'd']));
    assert.equal(term.writes.length, 1);
    assert.match(term.last, /a.*b.*c.*d/s);
    s.render(frame(['a', 'b', 'c', 'd']));
    assert.equal(term.writes.length, 2);
    assert.doesNotMatch(term.last, /\x1b\[2K/, 'no row rewritten');
  });

  test('new lines at the bottom: the terminal scrolls, only the new row is written', () => {
    const term = new FakeTerm(40, 6);
    const s = new WindowScreen(term);
    s.render(frame(['a', 'b', 'c', 'd']));
    s.render(frame(['b', 'c', 'd', 'e']));
    const out = term.last;
    assert.match(out, /\x1b\[1;4r\x1b\[4;1H\n\x1b\[r/, 'scroll region over the 4 window rows');
    assert.equal(out.match(/\x1b\[2K/g)?.length, 1, out);
    assert.match(out, /\x1b\[4;1H\x1b\[2Ke/);
  });

  test('with a nick list: rows side by side, no scroll region', () => {
    const term = new FakeTerm(100, 6);
    const s = new WindowScreen(term);
    const size = bodySize(100, 6, true);
    assert.ok(size.nickWidth >= 10 && size.width + size.nickWidth + 1 === 100);
    s.render(frame(['a', 'b'], { nicks: ['2 nicks', '@alice'], nickWidth: size.nickWidth }));
    s.render(frame(['b', 'c'], { nicks: ['2 nicks', '@alice'], nickWidth: size.nickWidth }));
    assert.doesNotMatch(term.last, /\x1b\[1;\d+r/);
    assert.match(term.last, /b +│2 nicks/);
    assert.equal(bodySize(79, 6, true).nickWidth, 0, 'no room: no nick list');
  });

  test('huge names never break the layout: every row fits the width', () => {
    const term = new FakeTerm(90, 8);
    const s = new WindowScreen(term);
    const size = bodySize(90, 8, true);
    const huge = 'n'.repeat(500);
    s.render(
      frame(['short', '中文👍 ' + 'ש'.repeat(30)], {
        nicks: ['3 nicks', '@' + huge, '中'.repeat(40)],
        nickWidth: size.nickWidth,
        status: ` ${huge} | carol | connected `,
        prompt: `[${huge}] `,
      }),
    );
    const rows = term.last.split(/\x1b\[\d+;1H/).slice(1);
    assert.ok(rows.length >= 7, 'every row drawn');
    for (const r of rows) {
      const text = r.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      assert.ok(displayWidth(text) <= 90, `a row of ${displayWidth(text)} cells: ${text}`);
    }
  });

  test('a resize redraws everything; a tiny terminal gets a message instead', () => {
    const term = new FakeTerm(40, 6);
    const s = new WindowScreen(term);
    s.render(frame(['a', 'b', 'c', 'd']));
    s.resized();
    s.render(frame(['a', 'b', 'c', 'd']));
    assert.match(term.last, /\x1b\[2J/);
    term.columns = MIN_COLUMNS - 1;
    s.render(frame(['a']));
    assert.match(term.last, /too small/);
  });

  test('the nick list: operators, then voiced users, then the rest, each by name; cut with a count', () => {
    const m = (prefix: string, nick: string) => ({ prefix, nick });
    const members = [m('', 'alice'), m('+', 'zed'), m('', 'Carol'), m('@', 'bob'), m('~', 'yan')];
    assert.deepEqual(nickRows(members, 10), ['5 nicks', '~yan', '@bob', '+zed', 'alice', 'Carol']);
    assert.deepEqual(nickRows(members, 4), ['5 nicks', '~yan', '@bob', '+3 more']);
  });

  test('the too-small message is wrapped into the rows there are, each within the width', () => {
    const cases: Array<[number, number, string[]]> = [
      [15, 4, ['Terminal too', 'small: 15x4,', 'needs 20x5']],
      [80, 4, ['Terminal too small: 80x4, needs 20x5']],
      [10, 2, ['Terminal', 'too small:']],
      [5, 1, ['Term…']],
    ];
    for (const [cols, rows, want] of cases) {
      assert.deepEqual(tooSmallRows(cols, rows), want, `${cols}x${rows}`);
    }
  });
});

/** A windowed view that records where each line went. */
class WindowRecorder implements View {
  readonly windowed = true;
  lines: Array<{ line: string; info: LineInfo }> = [];
  commands: WindowAction[] = [];
  print(line: string, info: LineInfo): void {
    this.lines.push({ line, info });
  }
  bell(): void {}
  statusChanged(): void {}
  windowCommand(a: WindowAction): void {
    this.commands.push(a);
  }
  in(id: number): string[] {
    return this.lines.filter((l) => l.info.windows.includes(id)).map((l) => l.line);
  }
}

test('scrolled up in a narrow terminal, the "more below" row still fits the width', () => {
  for (const color of [false, true]) {
    const vt = new Terminal(20, 6);
    const term = { columns: 20, rows: 6, write: (s: string) => vt.write(s) };
    const surface = new WindowSurface(term, () => {}, { color, nicklist: false });
    const c = new StubController([], 'me', []).controller();
    const info = {
      windows: [0],
      time: 1,
      placed: false,
      unread: false,
      history: false,
      read: null,
    };
    for (let k = 0; k < 12; k++) surface.print(`line ${k}`, info);
    surface.key({ name: 'pageup' }, c);
    surface.render({ status: 'status', prompt: '> ', text: '', cursor: 0 }, c);
    assert.deepEqual(vt.problems, []);
    assert.match(vt.screen()[3], /^ -- more below/);
  }
});

test('the controller puts each line in its window: channel, private chat, quit in both, server', async () => {
  const server = await startServer();
  const { session, rec } = newSession(server.port, 'carol');
  const view = new WindowRecorder();
  const c = new ChatController(session, view, false);
  let dave: TestClient | undefined;
  try {
    await connected(session, rec);
    await rec.next('names', (e) => e.channel === '#lobby');
    const lobby = c.currentWindow();
    assert.notEqual(lobby, SERVER_WINDOW_ID);
    assert.ok(view.in(SERVER_WINDOW_ID).some((l) => /registered as carol/.test(l)));
    dave = await TestClient.register(server.port, 'dave');
    await rec.next('join', (e) => e.nick === 'dave');
    dave.send('PRIVMSG #lobby :hello all');
    dave.send('PRIVMSG carol :just you');
    await rec.next('message', (e) => e.private);
    const priv = c.conversations().find((x) => x.name === 'dave')?.id;
    assert.ok(priv !== undefined && priv !== lobby);
    assert.ok(
      view.in(lobby).some((l) => /<dave> hello all$/.test(l)),
      'no [#lobby] tag',
    );
    assert.ok(view.in(priv).some((l) => /\[dave → you\] just you/.test(l)));
    const said = view.lines.find((l) => l.line.includes('hello all'))!.info;
    assert.deepEqual([said.placed, said.unread, said.history], [true, true, false]);
    await dave.quit('bye');
    await rec.next('quit');
    const quit = view.lines.find((l) => l.line.includes('dave quit'))!;
    assert.deepEqual(quit.info.windows.sort(), [lobby, priv].sort());
    // Window commands go to the view; our own notes to the window on screen.
    assert.equal(await c.submit('/window 2'), 'continue');
    assert.deepEqual(view.commands, [{ kind: 'window', number: 2 }]);
    await c.submit('/switch nobody');
    assert.deepEqual(view.lines.at(-1)?.info.windows, [lobby]);
    // /help's rows hang under the descriptions' column; other lines have no hang of their own.
    await c.submit('/help');
    const nick = view.lines.find((l) => / \/nick <newnick> /.test(l.line))!;
    assert.equal(nick.line.slice(nick.info.hang), 'Change your nick');
    assert.equal(quit.info.hang, undefined);
    c.showServer();
    assert.equal(c.currentWindow(), SERVER_WINDOW_ID);
    assert.equal(c.status().current, null);
  } finally {
    dave?.destroy();
    session.close();
    await server.stop();
  }
});
