// The client's config file: `parley connect` flags written once, as YAML (client.yaml in the XDG config dir, or --config FILE).
//
// Every key is a flag's name (`nick: alice`, `tls: true`, `password-file: ~/.parley-pw`), plus
// `server: HOST[:PORT]` for the argument. The file gives defaults and the command line wins: its
// flags come after the file's, and its HOST replaces `server`. A switch set in the file cannot be
// turned off by a flag; --no-config skips the file. A missing default file is no error; a missing
// --config file, bad YAML, an unknown key or a bad value is one line naming the file and line.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parleyConfigDir } from '../client/xdg.js';
import { CliError } from './errors.js';
import { configFilePath, readConfigFile } from './files.js';

/** Flags that make no sense in the file. */
const NOT_IN_FILE = new Set(['help', 'config', 'no-config']);
/** Keys whose value is a file name: `~/` is the home folder, a relative name is beside the file. */
const FILE_KEYS = new Set(['password-file', 'known-hosts', 'log-dir']);

/** `$XDG_CONFIG_HOME/parley/client.yaml`, else `~/.config/parley/client.yaml`. */
export function defaultClientConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(parleyConfigDir(env), 'client.yaml');
}

export interface FileFlags {
  /** The file's settings as command-line arguments, to go before the real ones. */
  args: string[];
  /** `server:` from the file, or null. */
  server: string | null;
}

/**
 * The config file's settings for `argv` (whose --config / --no-config it looks at). `flags` names
 * each flag and whether it takes a value.
 */
export function fileFlags(
  argv: readonly string[],
  flags: readonly { flag: string; arg?: string }[],
  env: NodeJS.ProcessEnv = process.env,
): FileFlags {
  const none: FileFlags = { args: [], server: null };
  if (argv.includes('--no-config')) return none;
  const given = configFlag(argv);
  const file = given ?? defaultClientConfigFile(env);
  if (given === null && !existsSync(file)) return none;
  const takesValue = new Map(flags.map((f) => [f.flag, f.arg !== undefined]));
  const known = new Set([...takesValue.keys()].filter((k) => !NOT_IN_FILE.has(k)));
  known.add('server');
  const values = readConfigFile(file, known, new Set(), 'connect');
  const out: FileFlags = { args: [], server: null };
  for (const [key, { value, where }] of values) {
    if (key === 'server') {
      out.server = value;
    } else if (takesValue.get(key) === true) {
      const v = FILE_KEYS.has(key) ? configFilePath(file, value) : value;
      out.args.push(`--${key}=${v}`);
    } else if (value === 'true') {
      out.args.push(`--${key}`);
    } else if (value !== 'false') {
      throw new CliError(`${where}: ${key}: expected true or false, got '${value}'`);
    }
  }
  return out;
}

/** The FILE of `--config FILE` or `--config=FILE` in argv, or null. */
function configFlag(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (a.startsWith('--config=')) return nonEmpty(a.slice('--config='.length));
    if (a === '--config') return nonEmpty(argv[i + 1] ?? '');
  }
  return null;
}

function nonEmpty(file: string): string {
  if (file === '') throw new CliError('--config: expected a file name (or --no-config)');
  return file;
}
