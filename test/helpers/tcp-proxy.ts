// A loopback TCP proxy for fault tests: forwards to one port, and can cut the link (abruptly, or silently) and restore it.
import net from 'node:net';

/** One connection through the proxy. */
export interface ProxyLink {
  /** Everything the client has sent on it so far, as latin1 text (to tell links apart). */
  readonly sent: string;
  /** Hold back what the target sends on this link (the client's bytes still go through). */
  holdReplies(): void;
  /** Deliver what was held, in order, and forward again. */
  release(): void;
}

export interface TcpProxy {
  /** The connections forwarded now. */
  links(): ProxyLink[];
  /** Where to connect instead of the target. */
  readonly port: number;
  /** Connections forwarded so far (refused ones not counted). */
  readonly forwarded: number;
  /**
   * Cut the link as a dead peer or a failed route does: every open connection is reset (both
   * sides see it at once) and new ones are reset as soon as they are accepted, until restore().
   */
  cut(): void;
  /**
   * Cut the link silently, as a partition that drops packets: connections stay open but nothing
   * crosses them (either way) and new ones get no answer, until restore() delivers what waited,
   * as TCP's retransmissions would once the route is back.
   */
  blackhole(): void;
  /** Forward again: new connections, and after a blackhole whatever waited on the held ones. */
  restore(): void;
  /** Stop listening and drop every connection. */
  close(): Promise<void>;
}

/** A proxy on a free loopback port in front of `targetPort`. */
export async function startTcpProxy(targetPort: number, host = '127.0.0.1'): Promise<TcpProxy> {
  let state: 'open' | 'cut' | 'blackhole' = 'open';
  let forwarded = 0;
  /** Every socket the proxy holds (accepted and upstream), to cut them. */
  const sockets = new Set<net.Socket>();
  /** What a blackhole holds back: bytes in flight on a link, or a link not yet made. */
  let held: Array<() => void> = [];
  const hold = (s: net.Socket): void => {
    sockets.add(s);
    s.on('error', () => {}); // a reset is what the test asked for
    s.once('close', () => sockets.delete(s));
  };
  const open = new Set<ProxyLink>();
  /** Forward `from`'s bytes to `to`, held back while silenced (or while `paused` says so). */
  const forward = (from: net.Socket, to: net.Socket, paused: () => Buffer[] | null): void => {
    from.on('data', (b: Buffer) => {
      const queue = paused();
      if (queue !== null) queue.push(b);
      else if (state === 'blackhole') held.push(() => to.write(b));
      else to.write(b);
    });
  };
  const link = (client: net.Socket): void => {
    forwarded++;
    const upstream = net.connect(targetPort, host);
    hold(upstream);
    let sent = '';
    let replies: Buffer[] | null = null;
    const one: ProxyLink = {
      get sent() {
        return sent;
      },
      holdReplies: () => void (replies ??= []),
      release: () => {
        const queue = replies ?? [];
        replies = null;
        for (const b of queue) client.write(b);
      },
    };
    open.add(one);
    const drop = (): void => {
      open.delete(one);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', drop);
    upstream.once('close', drop);
    client.on('data', (b: Buffer) => void (sent += b.toString('latin1')));
    forward(client, upstream, () => null);
    forward(upstream, client, () => replies);
  };

  const server = net.createServer((client) => {
    hold(client);
    if (state === 'cut') return client.resetAndDestroy();
    if (state === 'blackhole') return held.push(() => link(client));
    link(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    links: () => [...open],
    get forwarded() {
      return forwarded;
    },
    cut() {
      state = 'cut';
      held = [];
      for (const s of [...sockets]) s.resetAndDestroy();
    },
    blackhole() {
      state = 'blackhole';
    },
    restore() {
      state = 'open';
      const waiting = held;
      held = [];
      for (const go of waiting) go();
    },
    close() {
      for (const s of [...sockets]) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
