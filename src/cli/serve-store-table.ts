// `parley serve`'s options for what the server keeps: the store, accounts (with the admin socket) and history.
import { availableParallelism } from 'node:os';
import { DEFAULTS } from '../server/config.js';
import type { Option } from './serve-table.js';
import { isRedisUrl } from '../store/index.js';
import { parseSentinelUrl } from '../store/redis-url.js';
import { CliError } from './errors.js';
import { parseDuration, parseInteger, parseOnOff } from './units.js';

const D = DEFAULTS;
const secs = (ms: number) => `${ms / 1000}s`;

/** In SERVE_OPTIONS (serve-table.ts) between --sendq and --sendq-timeout, as --help lists them. */
export const STORE_OPTIONS: Option[] = [
  {
    flag: 'db',
    arg: 'FILE|URL',
    shown: '~/.local/share/parley/parley.db',
    path: true,
    help: "SQLite file for accounts and history (':memory:' forgets at exit, 'off' keeps nothing), or redis://HOST:PORT[/DB] (rediss:// for TLS, redis+sentinel://HOST:PORT/MASTER behind Sentinel) to share them with every server that names the same Redis",
    apply: (s, v) => (s.db = v === '' ? 'off' : isRedisUrl(v) ? checkRedisUrl('db', v) : v),
  },
  {
    flag: 'db-fsync',
    arg: 'on|off',
    shown: 'off',
    help: 'flush every commit to the disk (survives power loss; off survives kill -9)',
    apply: (s, v) => (s.dbFsync = parseOnOff('db-fsync', v)),
  },
  {
    flag: 'admin-socket',
    arg: 'PATH',
    shown: 'none',
    path: true,
    help: 'a Unix socket (owner-only) on which `parley account add` creates accounts in the running server',
    apply: (s, v) => (s.adminSocket = v === '' || v === 'none' ? null : v),
  },
  {
    flag: 'cluster',
    arg: 'URL',
    shown: 'none',
    help: 'join the other servers sharing this Redis (redis://HOST:PORT, rediss:// for TLS, redis+sentinel://HOST:PORT[,HOST:PORT]/MASTER) as one network',
    apply: (s, v) => (s.cluster = v === '' || v === 'none' ? null : checkRedisUrl('cluster', v)),
  },
  {
    flag: 'node-id',
    arg: 'ID',
    shown: 'auto',
    help: "this server's name in the cluster (letters, digits, . _ -; auto: HOSTNAME-PORT); keep it across restarts",
    apply: (s, v) => (s.nodeId = v === '' || v === 'auto' ? null : checkNodeId(v)),
  },
  {
    flag: 'workers',
    arg: 'N|auto',
    shown: '1',
    help: 'processes serving the port together, one network through Redis (auto: one per core); without --cluster a local redis-server is started',
    apply: (s, v) =>
      (s.workers = v === 'auto' ? availableParallelism() : parseInteger('workers', v, 1, 256)),
  },
  {
    flag: 'nick-grace',
    arg: 'TIME',
    shown: secs(D.nickGrace),
    help: 'time to log in (SASL, NickServ IDENTIFY) before a registered nick is taken back and its user renamed Guest<N> (0: at once)',
    apply: (s, v) => (s.nickGrace = parseDuration('nick-grace', v, 0)),
  },
  {
    flag: 'password-min',
    arg: 'N',
    shown: String(D.passwordMin),
    help: 'shortest account password REGISTER accepts',
    apply: (s, v) => (s.passwordMin = parseInteger('password-min', v, 1, 64)),
  },
  {
    flag: 'register-before-connect',
    arg: 'on|off',
    shown: 'on',
    help: 'let REGISTER create an account before connecting completes (before-connect); off: only after the welcome',
    apply: (s, v) => (s.registerBeforeConnect = parseOnOff('register-before-connect', v)),
  },
  {
    flag: 'multiclient',
    arg: 'on|off',
    shown: 'on',
    help: "let several connections share one user: one that logs in (SASL, PASS) with the nick its account's user holds joins it; off: 433",
    apply: (s, v) => (s.multiclient = parseOnOff('multiclient', v)),
  },
  {
    flag: 'always-on',
    arg: 'on|off',
    shown: 'off',
    help: 'keep a logged-in user (nick, channels, private messages in its inbox) when its last connection goes, until one logs in again with its nick',
    apply: (s, v) => (s.alwaysOn = parseOnOff('always-on', v)),
  },
  {
    flag: 'history-max',
    arg: 'N',
    shown: String(D.historyMax),
    help: 'messages kept per channel or private conversation',
    apply: (s, v) => (s.historyMax = parseInteger('history-max', v, 1, 10_000_000)),
  },
  {
    flag: 'history-age',
    arg: 'TIME',
    shown: `${D.historyAge / 86_400_000}d`,
    help: 'how long a message is kept (30d, 12h)',
    apply: (s, v) => (s.historyAge = parseDuration('history-age', v, 60_000)),
  },
  {
    flag: 'history-limit',
    arg: 'N',
    shown: String(D.historyLimit),
    help: 'most messages one CHATHISTORY request returns',
    apply: (s, v) => (s.historyLimit = parseInteger('history-limit', v, 1, 10_000)),
  },
  {
    flag: 'history-on-join',
    arg: 'N',
    shown: String(D.historyOnJoin),
    help: 'last lines replayed on joining to clients without draft/chathistory (0: none)',
    apply: (s, v) => (s.historyOnJoin = parseInteger('history-on-join', v, 0, 1000)),
  },
];

/** A redis:// or rediss:// URL with at most a database number for its path, or a redis+sentinel:// one. */
function checkRedisUrl(flag: string, v: string): string {
  if (/^redis\+sentinel:/i.test(v)) {
    if (parseSentinelUrl(v) !== null) return v;
    throw new CliError(
      `--${flag}: '${v}' is not a Sentinel URL (redis+sentinel://HOST:PORT[,HOST:PORT...]/MASTER[/DB])`,
      2,
    );
  }
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new CliError(`--${flag}: '${v}' is not a URL (redis://HOST:PORT)`, 2);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new CliError(
      `--${flag}: '${v}' is not a redis://, rediss:// or redis+sentinel:// URL`,
      2,
    );
  }
  if (!/^\/?\d*$/.test(url.pathname)) {
    throw new CliError(`--${flag}: '${v}': after HOST:PORT only a database number (/0, /1…)`, 2);
  }
  return v;
}

function checkNodeId(v: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(v)) {
    throw new CliError(`--node-id: '${v}' must be 1-64 letters, digits, '.', '_' or '-'`, 2);
  }
  return v;
}
