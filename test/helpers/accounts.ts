// Test helper for accounts: register one over a throwaway connection.
import { TestClient } from './irc.js';

/** Register `account` with `password` (REGISTER * * over a connection named like it), then quit. */
export async function makeAccount(port: number, account: string, password: string): Promise<void> {
  const c = await TestClient.register(port, account, [], false);
  c.send(`REGISTER * * :${password}`);
  await c.expectCommand('REGISTER', 'SUCCESS', account);
  await c.quit();
}
