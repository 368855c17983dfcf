// TCP accept: the listening socket, refusing what the accept policy refuses (the limits are admission.ts), start and stop.
import net from 'node:net';

export interface AcceptPolicy {
  /** Decide on a new socket: return null to accept, or the reason to refuse it with. */
  admit(socket: net.Socket): string | null;
  accepted(socket: net.Socket): void;
}

export class Listener {
  private readonly server: net.Server;

  constructor(private readonly policy: AcceptPolicy) {
    this.server = net.createServer({
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
      // Accepted sockets start paused, so the Connection can choose how they read (readinto.ts).
      pauseOnConnect: true,
      // Any write the kernel does not take at once ends with 'drain' (flow control watches for it).
      highWaterMark: 1,
    });
    this.server.on('connection', (socket) => this.onConnection(socket));
  }

  listen(host: string, port: number): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      // `::` goes to Node as no host at all: Node then listens on `::` with IPv6-only off (every
      // IPv6 and IPv4 address), or on 0.0.0.0 where the machine has no IPv6.
      this.server.listen({ host: host === '::' ? undefined : host, port, backlog: 1024 }, () => {
        this.server.off('error', onError);
        this.server.on('error', () => {}); // accept errors (EMFILE) are per-connection; keep listening
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: net.Socket): void {
    const refusal = this.policy.admit(socket);
    if (refusal !== null) {
      socket.on('error', () => {});
      // Discard whatever it sends, so its FIN is seen and the socket closes without waiting.
      socket.resume();
      socket.end(`ERROR :Closing link: ${refusal}\r\n`);
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    this.policy.accepted(socket);
  }
}
