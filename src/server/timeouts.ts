// The once-a-second check of every connection's clocks: registration, an unfinished line (slowloris) and PING.
import type { Client } from './client.js';
import type { ServerConfig } from './config.js';

type Clocks = Pick<ServerConfig, 'name' | 'registrationTimeout' | 'pingInterval' | 'pingTimeout'>;

/**
 * Cut (through `disconnect`) every client in `clients` whose time is up at `now`, and PING the
 * registered ones that have been quiet for `pingInterval`. A closing connection is left alone.
 */
export function sweepTimeouts(
  clients: Iterable<Client>,
  now: number,
  config: Clocks,
  disconnect: (client: Client, reason: string) => void,
): void {
  const { registrationTimeout, pingInterval, pingTimeout } = config;
  for (const s of clients) {
    if (s.conn.closing) continue;
    if (s.user === null) {
      if (now - s.connectedAt > registrationTimeout) disconnect(s, 'Registration timed out');
    } else if (s.conn.lineStartedAt !== 0 && now - s.conn.lineStartedAt > pingTimeout) {
      // Bytes keep coming but the line never ends (slowloris): no PING would catch it.
      const secs = Math.round((now - s.conn.lineStartedAt) / 1000);
      disconnect(s, `Receive timeout: a line unfinished for ${secs} seconds`);
    } else if (s.pingSentAt !== 0) {
      if (now - s.pingSentAt > pingTimeout) {
        disconnect(s, `Ping timeout: ${Math.round((now - s.conn.lastActivity) / 1000)} seconds`);
      }
    } else if (now - s.conn.lastActivity > pingInterval) {
      s.pingSentAt = now;
      s.conn.send(Buffer.from(`PING :${config.name}\r\n`));
    }
  }
}
