// Read markers (draft/read-marker) end to end against a real parley server (in-memory store): the windowed client marks what it shows as read, and a later session of the account places its unread line after the marker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatController, type LineInfo, type View } from '../../src/client/app.js';
import type { ClientSession } from '../../src/client/session.js';
import { WindowSurface } from '../../src/client/ui/windowed.js';
import { UNREAD_LABEL } from '../../src/client/ui/buffer.js';
import { loggedIn, makeAccount } from '../helpers/accounts.js';
import { startServer, TestClient } from '../helpers/irc.js';
import { newSession, type Recorder, stopServer } from './session-kit.js';

/** A terminal that keeps what is written. */
class Term {
  readonly columns = 100;
  readonly rows = 30;
  out = '';
  write(s: string): void {
    this.out += s;
  }
}

/** The full-screen view as `parley connect` draws it, on a fake terminal. */
class Windowed implements View {
  readonly windowed = true;
  readonly term = new Term();
  readonly surface = new WindowSurface(this.term, () => {}, { color: false, nicklist: false });
  print(line: string, info: LineInfo): void {
    this.surface.print(line, info);
  }
  readTo(id: number, time: number): void {
    this.surface.readTo(id, time);
  }
  bell(): void {}
  statusChanged(): void {}

  /** Draw the current window in full; its non-empty rows, top first. */
  draw(c: ChatController): string[] {
    this.surface.resized();
    this.term.out = '';
    this.surface.render({ status: '', prompt: '', text: '', cursor: 0 }, c);
    const rows: string[] = [];
    for (const part of this.term.out.split(/\x1b\[\d+;1H\x1b\[2K/).slice(1)) {
      rows.push(part.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').trimEnd());
    }
    return rows.filter((r) => r !== ''); // the status and input rows are empty here
  }
}

/** alice's client, logged in, in #dev and #ops, `first` the window on screen. */
function client(port: number, first: string) {
  const { session, rec } = newSession(port, 'alice', {
    account: { name: 'alice', password: 'secret-pw-1' },
    channels: ['#dev', '#ops'],
  });
  const view = new Windowed();
  const c = new ChatController(session, view, false, first);
  return { session, rec, view, c };
}

/** Wait for the replayed line `text`; its server time. */
async function replayed(rec: Recorder, text: string): Promise<number> {
  return (await rec.next('message', (m) => m.text === text && m.history === true)).time;
}

const stamp = (ms: number) => `timestamp=${new Date(ms).toISOString()}`;

/** The row indexes of the unread rule and of the line ending with `text`. */
function where(rows: string[], text: string): { rule: number; line: number } {
  return {
    rule: rows.findIndex((r) => r.startsWith(UNREAD_LABEL)),
    line: rows.findIndex((r) => r.endsWith(text)),
  };
}

const unread = (c: ChatController, name: string) =>
  c.conversations().find((x) => x.name === name)?.unread;

test('read in one session, the next one of the account puts the unread line after the marker', async () => {
  // A server clock that moves only when told: each of bob's lines gets a time of its own (a
  // marker is a time, and two lines in the same millisecond would read as one).
  const srv = await startServer({}, 'text', true);
  const say = async (what: string) => {
    for (const ch of ['dev', 'ops']) {
      for (const k of [1, 2]) {
        srv.advance(1000);
        bob!.send(`PRIVMSG #${ch} :${ch} ${what} ${k}`);
        await bob!.sync();
      }
    }
  };
  let session: ClientSession | null = null;
  let bob: TestClient | null = null;
  let phone: TestClient | null = null;
  try {
    await makeAccount(srv.port, 'alice', 'secret-pw-1');
    bob = await TestClient.register(srv.port, 'bob');
    bob.send('JOIN #dev,#ops');
    await say('old');
    // Another client of alice's account: it hears where her other connections read to.
    phone = await loggedIn(srv.port, 'alice_phone', 'secret-pw-1', ['draft/read-marker'], 'alice');

    // First session: #dev on screen, then #ops; each window drawn marks its newest line read.
    const one = client(srv.port, '#dev');
    session = one.session;
    one.session.start();
    const devOld2 = await replayed(one.rec, 'dev old 2');
    const opsOld2 = await replayed(one.rec, 'ops old 2');
    assert.ok(one.session.capabilities.has('draft/read-marker'));
    one.view.draw(one.c);
    await phone.expectCommand('MARKREAD', '#dev', stamp(devOld2));
    assert.ok(one.c.switchTo('#ops'));
    one.view.draw(one.c);
    await phone.expectCommand('MARKREAD', '#ops', stamp(opsOld2));
    await one.c.quit();
    session = null;

    // Meanwhile bob goes on.
    await say('new');

    // A fresh session: the replay holds old and new lines; only the new ones are unread.
    const two = client(srv.port, '#dev');
    session = two.session;
    two.session.start();
    await replayed(two.rec, 'dev new 2');
    const opsNew1 = await replayed(two.rec, 'ops new 1');
    await replayed(two.rec, 'ops new 2');
    assert.equal(two.session.readMarker('#dev'), devOld2);
    assert.equal(unread(two.c, '#ops'), 2, 'ops old 1 and 2 were read in the first session');

    const dev = two.view.draw(two.c);
    const d = where(dev, 'dev new 1');
    assert.ok(d.rule !== -1, dev.join('\n'));
    assert.equal(d.line, d.rule + 1, dev.join('\n'));
    assert.ok(where(dev, 'dev old 2').line < d.rule, dev.join('\n'));
    // Drawn: #dev is read up to its newest line; our own marker coming back keeps the rule.
    const devNew2 = two.rec.all('message').find((m) => m.text === 'dev new 2')!.time;
    await phone.expectCommand('MARKREAD', '#dev', stamp(devNew2));
    await two.rec.next('readmarker', (e) => e.target === '#dev' && e.self);
    assert.equal(where(two.view.draw(two.c), 'dev new 1').rule, d.rule);

    // The phone reads #ops up to "ops new 1": one unread left, and the rule moves down.
    phone.send(`MARKREAD #ops ${stamp(opsNew1)}`);
    await two.rec.next('readmarker', (e) => e.target === '#ops' && e.marker === opsNew1);
    assert.equal(unread(two.c, '#ops'), 1);
    assert.ok(two.c.switchTo('#ops'));
    const ops = two.view.draw(two.c);
    const o = where(ops, 'ops new 2');
    assert.equal(o.line, o.rule + 1, ops.join('\n'));
    assert.ok(where(ops, 'ops new 1').line < o.rule, ops.join('\n'));
  } finally {
    session?.close();
    bob?.destroy();
    phone?.destroy();
    await stopServer(srv);
  }
});
