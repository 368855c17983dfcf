// Test helpers for accounts: register one over a throwaway connection, or connect logged in.
import { TestClient } from './irc.js';

/** Register `account` with `password` (REGISTER * * over a connection named like it), then quit. */
export async function makeAccount(port: number, account: string, password: string): Promise<void> {
  const c = await TestClient.register(port, account, [], false);
  c.send(`REGISTER * * :${password}`);
  await c.expectCommand('REGISTER', 'SUCCESS', account);
  await c.quit();
}

/** Connect `nick` and log into `account` (its own by default) with PASS account:password. */
export async function loggedIn(
  port: number,
  nick: string,
  password: string,
  caps: string[] = [],
  account = nick,
): Promise<TestClient> {
  return TestClient.register(port, nick, caps, false, `${account}:${password}`);
}
