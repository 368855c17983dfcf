// The config file's `opers:` list (operator name, password hash, host mask), checked at load, and `parley passwd`.
import type { OperBlock } from '../server/opers.js';
import { hashPassword, isPasswordHash } from '../server/opers.js';
import { CliError } from './errors.js';
import { readNewPassword } from './secrets.js';

const EXAMPLE = "opers: [{ name: alice, password: 'scrypt$...', host: '*@*' }]";

/** The `opers:` value of a config file (YAML data) as oper blocks; a CliError names what is wrong. */
export function parseOpers(data: unknown, where: string): OperBlock[] {
  if (!Array.isArray(data)) {
    throw new CliError(`${where}: opers: expected a list, as in ${EXAMPLE}`);
  }
  const names = new Set<string>();
  return data.map((item: unknown, k) => {
    const at = `${where}: opers[${k}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new CliError(`${at}: expected name, password and (optional) host, as in ${EXAMPLE}`);
    }
    const { name, password, host, ...rest } = item as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined)
      throw new CliError(`${at}: ${extra}: unknown key (name, password, host)`);
    if (typeof name !== 'string' || !/^[^\s,*?]+$/.test(name)) {
      throw new CliError(`${at}: name: a word without spaces, commas or wildcards`);
    }
    if (names.has(name)) throw new CliError(`${at}: name: ${name} is listed twice`);
    names.add(name);
    if (typeof password !== 'string' || !isPasswordHash(password)) {
      // Never echo what was written: it may be a plaintext password.
      throw new CliError(
        `${at}: password: not a password hash; make one with \`parley passwd\` and paste it here`,
      );
    }
    if (host !== undefined && (typeof host !== 'string' || !/^[^\s]+@[^\s]+$/.test(host))) {
      throw new CliError(`${at}: host: a user@host mask such as '*@*' or '*@x-1a2b3c4d.parley'`);
    }
    return { name, hash: password, host: (host as string | undefined) ?? '*@*' };
  });
}

/** `parley passwd`: read a password (twice at a terminal, without echo; once from a pipe) and print its hash. */
export async function passwd(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(
      'Usage: parley passwd\n\nRead an operator password and print its hash for the opers: list of\n' +
        `the config file, as in\n  ${EXAMPLE}\nAt a terminal it asks twice without echo; otherwise it reads one line from stdin.\n`,
    );
    return 0;
  }
  if (argv.length > 0) throw new CliError(`passwd takes no arguments (see parley passwd --help)`);
  const password = await readNewPassword('nothing printed');
  process.stdout.write(hashPassword(password) + '\n');
  return 0;
}
