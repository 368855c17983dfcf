// Files the server reads at start and on SIGHUP: the YAML config file and the MOTD.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CliError } from './errors.js';

/** The text of `file`, or a CliError naming the flag that pointed at it. */
function readText(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(
      `--${flag}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
}

/** MOTD lines, without CRs or a final empty line. */
export function readMotd(file: string): string[] {
  return readText('motd', file).replace(/\r/g, '').replace(/\n$/, '').split('\n');
}

/** Read a YAML config file whose keys are flag names (from `known`); values become strings. */
export function readConfigFile(file: string, known: ReadonlySet<string>): Record<string, string> {
  const text = readText('config', file);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new CliError(
      `--config: ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new CliError(`--config: ${file} must be a mapping of option: value`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!known.has(key)) {
      throw new CliError(
        `--config: ${file}: unknown key '${key}' (keys are the flag names, see parley serve --help)`,
      );
    }
    if (value !== null && typeof value === 'object') {
      throw new CliError(`--config: ${file}: '${key}' must be a single value`);
    }
    out[key] =
      value === null ? '' : typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
  }
  return out;
}
