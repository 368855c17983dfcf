// Files read at start: the YAML config files (the server's, also on SIGHUP; the client's) and the MOTD.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Scalar } from 'yaml';
import { isRedisUrl } from '../store/redis-url.js';
import { CliError, OptionError } from './errors.js';

/**
 * A file named in a config file: `~/` is the home folder, a relative name is beside the file. A
 * Redis URL (`db`) is no file and stays as written.
 */
export function configFilePath(configFile: string, value: string): string {
  if (value === ':memory:' || value === 'off' || value === 'none' || value === '') return value;
  if (isRedisUrl(value)) return value;
  if (value.startsWith('~/')) return path.join(homedir(), value.slice(2));
  return path.resolve(path.dirname(configFile), value);
}

/** The text of `file`, or an error naming the option that pointed at it. */
function readText(option: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new OptionError(
      option,
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
}

/** MOTD lines, without CRs or a final empty line. */
export function readMotd(file: string): string[] {
  return readText('motd', file).replace(/\r/g, '').replace(/\n$/, '').split('\n');
}

/** One key of the config file: its value as the flag would take it, and where it was written. */
export interface FileValue {
  value: string;
  /** For a key in `structured`: the value as YAML data (a list or map), and `value` is ''. */
  data?: unknown;
  /** `file:line`, for messages about this key. */
  where: string;
}

/**
 * Read a YAML config file whose keys are option names (from `known`). Every problem is a CliError
 * that starts with `file:line:` and the key, so the operator can go straight to it.
 */
export function readConfigFile(
  file: string,
  known: ReadonlySet<string>,
  structured: ReadonlySet<string> = new Set(),
  command = 'serve',
): Map<string, FileValue> {
  const text = readText('config', file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number) => `${file}:${lines.linePos(offset).line}`;
  const problem = doc.errors[0];
  if (problem !== undefined) {
    // The message names the place again ("at line 3, column 8"); the prefix already says it.
    const what = problem.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new CliError(`${at(problem.pos[0])}: not valid YAML: ${what}`);
  }
  const out = new Map<string, FileValue>();
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return out;
  if (!isMap(root)) {
    throw new CliError(`${at(root.range?.[0] ?? 0)}: expected 'option: value' lines`);
  }
  for (const pair of root.items) {
    const keyNode = isScalar(pair.key) ? pair.key : null;
    const key = String(keyNode?.value ?? '');
    const where = at(keyNode?.range?.[0] ?? root.range?.[0] ?? 0);
    if (structured.has(key)) {
      const data: unknown = isScalar(pair.value) || pair.value === null ? null : pair.value;
      out.set(key, { value: '', data: (data as { toJSON?: () => unknown })?.toJSON?.(), where });
      continue;
    }
    if (!known.has(key)) {
      throw new CliError(
        `${where}: ${key}: unknown key (the keys are the flag names, see parley ${command} --help)`,
      );
    }
    out.set(key, { value: scalarText(pair.value, key, where), where });
  }
  return out;
}

/** A value as the flag would have it: plain scalars as written (`0123`, `yes`), quoted ones decoded. */
function scalarText(node: unknown, key: string, where: string): string {
  if (node === null || (isScalar(node) && node.value === null)) {
    // `default-channel: #lobby` lands here too: YAML reads everything from the # as a comment.
    throw new CliError(
      `${where}: ${key}: no value (YAML reads a # as the start of a comment: quote such a value, as in '#lobby'; remove the line to keep the default)`,
    );
  }
  if (!isScalar(node)) throw new CliError(`${where}: ${key}: must be a single value`);
  const scalar = node as Scalar;
  if (scalar.type === 'PLAIN' && typeof scalar.source === 'string') return scalar.source;
  return String(scalar.value);
}
