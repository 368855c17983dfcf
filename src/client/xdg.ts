// Where parley keeps its files, after the XDG base directory spec: the config and data folders.
import { homedir } from 'node:os';
import path from 'node:path';

/** `$VAR` when it is an absolute path (the spec ignores relative ones), else `fallback`. */
function base(value: string | undefined, fallback: string): string {
  return value !== undefined && path.isAbsolute(value) ? value : fallback;
}

/** `$XDG_CONFIG_HOME/parley`, else `~/.config/parley`. */
export function parleyConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(base(env.XDG_CONFIG_HOME, path.join(homedir(), '.config')), 'parley');
}

/** `$XDG_DATA_HOME/parley`, else `~/.local/share/parley`. */
export function parleyDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(base(env.XDG_DATA_HOME, path.join(homedir(), '.local', 'share')), 'parley');
}
