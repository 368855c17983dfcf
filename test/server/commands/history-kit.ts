// Shared set-up of the CHATHISTORY tests: the caps a history client asks for, a server whose clock moves by hand with clients on it, messages sent and their echoes, a batch's texts.
import assert from 'node:assert/strict';
import type { Message } from '../../../src/protocol/index.js';
import { startServer, TestClient, type TestServer } from '../../helpers/irc.js';

export const CAPS = ['batch', 'server-time', 'message-tags', 'echo-message', 'draft/chathistory'];

/** A server without a lobby whose clock moves only when the test says, and clients on it. */
export async function withServer(
  body: (
    srv: TestServer,
    open: (nick: string, caps?: string[]) => Promise<TestClient>,
  ) => Promise<void>,
): Promise<void> {
  const srv = await startServer({ defaultChannel: '' }, 'text', true);
  const clients: TestClient[] = [];
  try {
    await body(srv, async (nick, caps = CAPS) => {
      const c = await TestClient.register(srv.port, nick, caps, false);
      clients.push(c);
      return c;
    });
  } finally {
    for (const c of clients) c.destroy();
    await srv.stop();
  }
}

/** Send `count` messages to `target`, 10 ms of server clock apart; the echoes' msgids and times. */
export async function talk(
  srv: TestServer,
  c: TestClient,
  target: string,
  count: number,
  from = 0,
) {
  const sent: Array<{ msgid: string; time: string; text: string }> = [];
  for (let i = from; i < from + count; i++) {
    srv.advance(10);
    c.send(`PRIVMSG ${target} :message ${i}`);
    const echo = await c.expect((m) => m.command === 'PRIVMSG' && m.params[1] === `message ${i}`);
    sent.push({
      msgid: echo.tags!.get('msgid')!,
      time: echo.tags!.get('time')!,
      text: `message ${i}`,
    });
  }
  return sent;
}

/** The texts of a chathistory batch answering `line`, after checking the batch frames them. */
export async function history(c: TestClient, line: string, target: string): Promise<string[]> {
  const got = await c.replies(line);
  assert.equal(got[0].command, 'BATCH', `a batch opens: ${JSON.stringify(got[0])}`);
  const id = got[0].params[0].slice(1);
  assert.deepEqual(got[0].params.slice(1), ['chathistory', target]);
  assert.deepEqual(got.at(-1)!.params, ['-' + id]);
  const inner = got.slice(1, -1);
  for (const m of inner) assert.equal(m.tags?.get('batch'), id);
  return inner.map((m: Message) => m.params[1]);
}
