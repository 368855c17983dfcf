// `parley serve` settings: flags over the config file over defaults, through the option table (serve-table.ts), and --help.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isValidChannel } from '../protocol/index.js';
import { parleyDataDir } from '../client/xdg.js';
import { DEFAULTS, type ServerConfig } from '../server/config.js';
import { CliError, OptionError } from './errors.js';
import { configFilePath, readConfigFile, type FileValue } from './files.js';
import { optionRows, type HelpRow } from './help.js';
import { parseOpers } from './opers-config.js';
import { finishTls, type TlsDraft } from './tls-options.js';
import {
  SERVE_OPTIONS,
  type Extra,
  type Mutable,
  type Option,
  type ServeSettings,
} from './serve-table.js';

export { SERVE_OPTIONS, type ServeSettings } from './serve-table.js';

/** Apply a config-file value; a bad one is reported as `file:line: key: problem`. */
function applyFileValue(o: Option, s: Mutable<ServerConfig> & Extra, file: FileValue): void {
  try {
    o.apply(s, file.value);
  } catch (err) {
    if (err instanceof OptionError) throw new CliError(`${file.where}: ${o.flag}: ${err.problem}`);
    throw err;
  }
}

/** An on|off switch given alone (`--advertise`, last or before another flag) means on. */
function withBareSwitches(argv: string[]): string[] {
  const switches = new Set(
    SERVE_OPTIONS.filter((o) => o.arg === 'on|off').map((o) => `--${o.flag}`),
  );
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    out.push(argv[i]);
    if (argv[i] === '--') return out.concat(argv.slice(i + 1));
    const next = argv[i + 1];
    if (switches.has(argv[i]) && (next === undefined || next.startsWith('-'))) out.push('on');
  }
  return out;
}

/** Flags over config file over defaults; throws CliError naming the bad flag, or the file, line and key. */
export function loadServeSettings(argv: string[]): ServeSettings & { help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    config: { type: 'string', short: 'c' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const o of SERVE_OPTIONS) options[o.flag] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: withBareSwitches(argv),
      options,
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    throw new CliError(`${(err as Error).message.split('\n')[0]} (see parley serve --help)`);
  }
  const configFile = typeof values.config === 'string' ? values.config : null;
  const fromFile =
    configFile === null
      ? new Map<string, FileValue>()
      : readConfigFile(configFile, new Set(SERVE_OPTIONS.map((o) => o.flag)), new Set(['opers']));
  const s: Mutable<ServerConfig> & Extra = {
    ...DEFAULTS,
    logFormat: 'text',
    logLevel: 'info',
    floodOn: true,
    floodBurst: DEFAULTS.flood?.burst ?? 10,
    floodRate: DEFAULTS.flood?.rate ?? 2,
    advertise: false,
    advertiseName: null,
    db: defaultDbPath(),
    dbFsync: false,
    adminSocket: null,
    cluster: null,
    nodeId: null,
    workers: 1,
    tlsPort: null,
    tlsCertFile: null,
    tlsKeyFile: null,
  };
  for (const o of SERVE_OPTIONS) {
    const flag = values[o.flag];
    const file = fromFile.get(o.flag);
    if (typeof flag === 'string') o.apply(s, flag);
    else if (file !== undefined && o.path === true && configFile !== null && file.value !== '')
      applyFileValue(o, s, { ...file, value: configFilePath(configFile, file.value) });
    else if (file !== undefined) applyFileValue(o, s, file);
  }
  s.tls = finishTls(s);
  const opers = fromFile.get('opers');
  if (opers !== undefined) s.opers = parseOpers(opers.data, opers.where);
  if (s.defaultChannel !== '' && !isValidChannel(s.defaultChannel, s.channelLen)) {
    throw new CliError(
      `--default-channel: '${s.defaultChannel}' is longer than --channel-len (${s.channelLen})`,
    );
  }
  const {
    logFormat,
    logLevel,
    floodOn,
    floodBurst,
    floodRate,
    advertise,
    advertiseName,
    db,
    dbFsync,
    adminSocket,
    cluster,
    nodeId,
    workers,
    ...rest
  } = s;
  // The TLS draft (file names, port) is folded into config.tls by finishTls above.
  const config: Mutable<ServerConfig> & Partial<TlsDraft> = rest;
  delete config.tlsPort;
  delete config.tlsCertFile;
  delete config.tlsKeyFile;
  config.flood = floodOn ? { burst: floodBurst, rate: floodRate } : null;
  return {
    config,
    logFormat,
    logLevel,
    configFile,
    advertise,
    advertiseName,
    db,
    dbFsync,
    adminSocket,
    cluster,
    nodeId,
    workers,
    help: values.help === true,
  };
}

/** The database when --db is not given: `$XDG_DATA_HOME/parley/parley.db` (~/.local/share). */
export function defaultDbPath(): string {
  return path.join(parleyDataDir(), 'parley.db');
}

export function serveHelp(): string {
  const rows: HelpRow[] = [
    { left: '  -c, --config FILE', text: 'read options from a YAML file (SIGHUP re-reads it)' },
    ...SERVE_OPTIONS.map((o) => ({
      left: `      --${o.flag} ${o.arg}`,
      text: `${o.help} [${o.shown}]`,
    })),
    { left: '  -h, --help', text: 'show this help' },
  ];
  return [
    'Usage: parley serve [options]',
    '',
    'Run the chat server. Any IRC client can connect; every option can also be set',
    'in a YAML file given with --config, under the same name (flags win).',
    '',
    ...optionRows(rows, 30),
    '',
    'Examples:',
    '  parley serve                              # port 6667, everyone meets in #lobby',
    '  parley serve --port 7000 --password s3cret',
    "  parley serve --default-channel ''         # a classic IRC server, no auto-join",
    '  parley serve --flood off --sendq 64m      # benchmarks and trusted LANs',
    '  parley serve --advertise                  # clients find it: parley connect --discover',
  ].join('\n');
}
