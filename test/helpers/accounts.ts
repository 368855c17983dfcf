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
  const c = await TestClient.connect(port);
  c.nick = nick;
  if (caps.length > 0) {
    c.send('CAP LS 302');
    c.send(`CAP REQ :${caps.join(' ')}`);
  }
  c.send(`PASS ${account}:${password}`);
  c.send(`NICK ${nick}`);
  c.send(`USER ${nick} 0 * :${nick}`);
  if (caps.length > 0) c.send('CAP END');
  await c.expect((m) => m.command === '376' || m.command === '422');
  return c;
}
