// Shared steps of the user query tests: a registered user's server record, joining a channel, registering clients with no channel.
import assert from 'node:assert/strict';
import { Server } from '../../src/server/server.js';
import type { User } from '../../src/server/user.js';
import { TestClient } from '../helpers/irc.js';

export function userOf(srv: { server: Server }, nick: string): User {
  const u = srv.server.network.findUser(nick);
  assert.ok(u, `${nick} is registered`);
  return u;
}

export async function join(c: TestClient, channel: string): Promise<void> {
  c.send(`JOIN ${channel}`);
  await c.expectCommand('366', c.nick, channel);
}

/** Register clients without an auto-joined channel, so each test sets up its own sharing. */
export async function registerAll(srv: { port: number }, ...who: Array<[string, string[]?]>) {
  const out: TestClient[] = [];
  for (const [nick, caps] of who) out.push(await TestClient.register(srv.port, nick, caps, false));
  return out;
}
