// `parley serve`: load settings, start the server (and its mDNS announcement), and handle SIGINT/SIGTERM (stop) and SIGHUP (reload).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AdminSocket } from '../server/admin.js';
import { Advertiser } from '../server/advertise.js';
import { ChatLog } from '../server/chatlog.js';
import { consoleSink } from '../store/console.js';
import { ClusterLink } from '../server/cluster.js';
import { Server } from '../server/server.js';
import { historyScope } from '../server/user.js';
import { VERSION } from '../server/version.js';
import { openStore, StoreOpenError, type Store } from '../store/index.js';
import { CliError } from './errors.js';
import { makeLogger } from './diagnostics.js';
import { defaultDbPath, loadServeSettings, serveHelp } from './serve-options.js';
import { asWorker, superviseWorkers, workerIndex } from './workers.js';

export async function serve(argv: string[]): Promise<number> {
  let settings = loadServeSettings(argv);
  if (settings.help) {
    process.stdout.write(serveHelp() + '\n');
    return 0;
  }
  const log = makeLogger(settings.logFormat, settings.logLevel);
  const worker = workerIndex();
  if (settings.workers > 1 && worker === 0) return superviseWorkers(settings, log);
  // HOSTNAME-PORT by default, so a restarted node clears what its previous run left in Redis;
  // with --port 0 there is no stable port to name it by.
  const port0 = settings.config.port === 0 ? randomBytes(3).toString('hex') : settings.config.port;
  const baseId = settings.nodeId ?? `${hostname().replace(/[^A-Za-z0-9._-]/g, '_')}-${port0}`;
  if (worker > 0) settings = asWorker(settings, worker, baseId);
  // The chat log goes to stdout through an asynchronous buffered writer (store/console.ts), or
  // with an SQLite file, through the history writer, which prints it for the server (pipe.ts).
  const stdout = consoleSink();
  const chatlog = new ChatLog(stdout, settings.logFormat);
  chatlog.privateOnly = worker > 1; // worker 1 shows the channels: once, not once per worker
  let store: Store | null;
  try {
    store = await openStore(settings.db, {
      createDir: settings.db === defaultDbPath(),
      fsync: settings.dbFsync,
      console: true,
    });
  } catch (err) {
    if (err instanceof StoreOpenError) throw new CliError(`--db: ${err.message}`, 2);
    throw err;
  }
  chatlog.relay = store?.console ?? null;
  const server = new Server(settings.config, { log, chatlog, store });
  if (settings.cluster !== null) {
    // Joined before the port opens: nobody registers before the network's nicks are known.
    const nodeId = settings.nodeId ?? baseId;
    const link = new ClusterLink(server, settings.cluster, nodeId);
    // Workers share one console: a private message is shown by its sender's worker only.
    link.showReceived = worker === 0;
    try {
      await link.start();
    } catch (err) {
      await link.close();
      await store?.close();
      throw new CliError(
        `--cluster: cannot reach ${settings.cluster}: ${(err as Error).message}`,
        1,
      );
    }
    server.cluster = link;
    server.stamper.suffix = '-' + nodeId;
    historyScope.suffix = '@' + nodeId;
    log.info({ cluster: settings.cluster, node: nodeId }, 'joined the cluster');
    if (settings.config.alwaysOn) {
      log.warn(
        {},
        '--always-on is not supported with --cluster yet: users leave with their last connection',
      );
    }
  }
  // The admin socket first: once the IRC port answers, `parley account add` works too.
  let admin: AdminSocket | null = null;
  if (settings.adminSocket !== null) {
    admin = new AdminSocket(server, settings.adminSocket);
    try {
      await admin.listen();
    } catch (err) {
      await store?.close();
      const e = err as NodeJS.ErrnoException;
      throw new CliError(
        `--admin-socket: cannot listen on ${admin.path}: ${e.code ?? e.message}`,
        1,
      );
    }
    log.info({}, `admin socket on ${admin.path} (parley account add --socket ${admin.path})`);
  }
  let port: number;
  try {
    const addr = await server.listen();
    port = addr.port;
    const where =
      addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
    const every =
      addr.address === '::'
        ? ' (every IPv6 and IPv4 address)'
        : addr.address === '0.0.0.0'
          ? ' (every IPv4 address)'
          : '';
    log.info(
      { server: settings.config.name, maxClients: settings.config.maxClients },
      `parley is listening on ${where}${every}`,
    );
    const ws = server.wsAddress;
    if (ws !== null) {
      const at = ws.family === 'IPv6' ? `[${ws.address}]:${ws.port}` : `${ws.address}:${ws.port}`;
      log.info({}, `WebSocket (IRCv3: text.ircv3.net, binary.ircv3.net) on ${at}`);
    }
    const tls = server.tlsAddress;
    if (tls !== null) {
      const at =
        tls.family === 'IPv6' ? `[${tls.address}]:${tls.port}` : `${tls.address}:${tls.port}`;
      log.info({}, `TLS on ${at}`);
    }
  } catch (err) {
    // Node's listen errors name the address and port that failed (--websocket-port or --tls-port
    // as well as --port).
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
    const { host, port: wanted } = settings.config;
    const [h, p] = e.port !== undefined ? [e.address ?? host, e.port] : [host, wanted];
    const where = h.includes(':') ? `[${h}]:${p}` : `${h}:${p}`;
    const hint =
      e.code === 'EADDRINUSE'
        ? ' (in use: choose another with --port, --tls-port or --websocket-port)'
        : e.code === 'EACCES'
          ? ' (permission denied: use --port above 1023)'
          : '';
    await admin?.close();
    await server.cluster?.close();
    throw new CliError(`cannot listen on ${where}: ${e.code ?? e.message}${hint}`, 1);
  }
  const { config } = settings;
  const advertiser = settings.advertise
    ? Advertiser.start({
        name: settings.advertiseName ?? config.name,
        host: config.host,
        port,
        log,
        info: {
          network: config.network,
          version: VERSION,
          tls: false,
          channel: config.defaultChannel,
          password: config.password !== null,
        },
      })
    : null;

  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      // The mDNS goodbye goes out while the clients are told, so browsers drop us at once.
      void Promise.all([advertiser?.stop(), admin?.close(), server.shutdown()]).then(() => {
        chatlog.flush();
        try {
          stdout.flushSync();
        } catch {
          // stdout closed or not ready: the chat log is best effort at exit
        }
        resolve(0);
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    // SIGHUP and an operator's REHASH: a config that fails to load leaves the running one alone.
    server.rehash = () => {
      try {
        server.reload(loadServeSettings(argv).config);
        return { file: settings.configFile, problem: null };
      } catch (err) {
        const problem = (err as Error).message;
        log.error({}, `reload failed, keeping the running configuration: ${problem}`);
        return { file: settings.configFile, problem };
      }
    };
    process.on('SIGHUP', () => server.rehash());
  });
}
