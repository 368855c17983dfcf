// Loopback ports for listener tests: one held busy by a plain server, and a check that a port is free again.
import net from 'node:net';

/** A loopback port held by a listening server, so another listen on it fails (EADDRINUSE). */
export async function occupyPort(): Promise<{ port: number; server: net.Server }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, server };
}

/** Resolves when `port` can be listened on again (nothing holds it), rejects when it cannot. */
export function canListen(port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
  });
}
