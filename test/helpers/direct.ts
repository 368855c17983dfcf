// The private-message fast path against the general path: one conversation run both ways, everything received and printed.
import type { ChatFormat } from '../../src/server/chatlog.js';
import type { ServerConfig } from '../../src/server/config.js';
import { directRelayed, setDirectPath } from '../../src/server/direct.js';
import { MemoryStore } from '../../src/store/memory.js';
import { conversationKey, type HistoryRecord, type Store } from '../../src/store/types.js';
import { startServer, TestClient } from './irc.js';

/**
 * alice sends `lines` (whole lines with CR LF, any bytes) to a server where bob, carol
 * (server-time), dave (message-tags) and erin (away) are registered; returns what each of the five
 * received, what the console printed and what history kept of alice's conversation with each of
 * the other four, with times, msgids, sync tokens and cloaks masked, and how many lines the fast
 * path relayed. `fast` false turns the fast path off; `store` is the server's (closed after).
 */
export async function transcript(
  fast: boolean,
  overrides: Partial<ServerConfig>,
  format: ChatFormat,
  lines: Buffer[],
  store: Store = new MemoryStore(),
) {
  setDirectPath(fast);
  const srv = await startServer(overrides, format, false, store);
  try {
    const alice = await TestClient.register(srv.port, 'alice');
    const bob = await TestClient.register(srv.port, 'bob');
    const carol = await TestClient.register(srv.port, 'carol', ['server-time']);
    const dave = await TestClient.register(srv.port, 'dave', ['message-tags']);
    const erin = await TestClient.register(srv.port, 'erin');
    erin.send('AWAY :lunch');
    // A barrier: arrivals are sent soon, not at once; a PONG comes after everything queued before it.
    for (const c of [alice, bob, carol, dave, erin]) await c.sync();
    const marks = [alice, bob, carol, dave, erin].map((c) => c.received.length);
    const before = directRelayed();
    alice.socket.write(Buffer.concat(lines));
    await alice.sync();
    for (const c of [bob, carol, dave, erin]) await c.sync();
    const mask = (s: string) =>
      s
        .replace(/time=[^; ]+/g, 'time=T')
        .replace(/msgid=[^; ]+/g, 'msgid=M')
        .replace(/"time":"[^"]+"/g, '"time":"T"')
        .replace(/^\d\d:\d\d:\d\d /, 'HH:MM:SS ')
        .replace(/sync[a-z0-9]+/g, 'sync')
        .replace(/@x-[0-9a-f]{8}\./g, '@x-H.'); // a cloak key is random per server
    const got = [alice, bob, carol, dave, erin].map((c, k) =>
      c.received.slice(marks[k]).map((r) => mask(r.raw)),
    );
    const printed = (await srv.console()).map(mask);
    const [from, ...others] = ['alice', 'bob', 'carol', 'dave', 'erin'].map(
      (nick) => srv.server.network.findUser(nick)!.historyId,
    );
    await new Promise((r) => setImmediate(r)); // the memory store commits on the next turn
    const history = await Promise.all(
      others.map(async (to) =>
        (await store.history.latest(conversationKey(from, to), null, 1000)).map(
          (r): HistoryRecord => ({
            ...r,
            msgid: 'M',
            time: 0,
            conversation: 'C',
            source: mask(r.source),
          }),
        ),
      ),
    );
    for (const c of [alice, bob, carol, dave, erin]) c.destroy();
    return { got, printed, history, relayed: directRelayed() - before };
  } finally {
    await srv.stop();
    await store.close();
    setDirectPath(true);
  }
}
