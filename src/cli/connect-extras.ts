// `parley connect --log/--log-dir` and `--notify/--notify-with`: the flags' values, and the logs and terminal notifier hung on a session.
import path from 'node:path';
import { ChatLogs } from '../client/logs.js';
import {
  autoNotifyStyle,
  NOTIFY_STYLES,
  startNotifier,
  type NotifyStyle,
} from '../client/notify.js';
import type { SessionEvent } from '../client/events.js';
import type { ClientSession } from '../client/session.js';
import { formatEvent } from '../client/ui/format.js';
import { parleyDataDir } from '../client/xdg.js';
import { CliError } from './errors.js';

/** The logs' folder from --log-dir or --log (`$XDG_DATA_HOME/parley/logs`), absolute; null: none. */
export function logDirOf(
  dir: string | undefined,
  enabled: boolean,
  env: NodeJS.ProcessEnv,
): string | null {
  if (dir === '') throw new CliError('--log-dir: expected a folder (or leave it out, with --log)');
  if (dir !== undefined) return path.resolve(dir);
  return enabled ? path.join(parleyDataDir(env), 'logs') : null;
}

/** The notification style from --notify-with or --notify (auto), or null: none. */
export function notifyStyleOf(
  kind: string | undefined,
  enabled: boolean,
  env: NodeJS.ProcessEnv,
): NotifyStyle | null {
  if (kind === undefined) return enabled ? autoNotifyStyle(env) : null;
  if (!NOTIFY_STYLES.includes(kind)) {
    throw new CliError(`--notify-with: '${kind}' is not one of ${NOTIFY_STYLES.join(', ')}`);
  }
  return kind === 'auto' ? autoNotifyStyle(env) : (kind as NotifyStyle);
}

/** Plain mode has no signal handling of its own: on these, close the logs, then die of it. */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface ExtrasOptions {
  logDir: string | null;
  notify: NotifyStyle | null;
  host: string;
  port: number;
  tls: boolean;
  /** Interactive (a terminal, not --plain): notifications only go there. */
  interactive: boolean;
  color: boolean;
  /** The terminal, for notifications. */
  out: { write(s: string): unknown };
  env?: NodeJS.ProcessEnv;
}

/**
 * Start the logs and the notifier `opts` ask for on `session` (before it starts). `show` prints a
 * finished line in the view (set once the view exists). close() writes and closes the logs: call
 * it on the way out.
 */
export function startExtras(
  session: ClientSession,
  opts: ExtrasOptions,
  show: (line: string) => void,
): { close(): Promise<void> } {
  const env = opts.env ?? process.env;
  const stopNotifier =
    opts.notify !== null && opts.interactive
      ? startNotifier(session, opts.out, { style: opts.notify, tmux: (env.TMUX ?? '') !== '' })
      : () => {};
  const logs =
    opts.logDir === null
      ? null
      : new ChatLogs({
          dir: opts.logDir,
          host: opts.host,
          port: opts.port,
          tls: opts.tls,
          session,
          report: (text) => {
            const e: SessionEvent = {
              type: 'error',
              time: Date.now(),
              text,
              code: 'log',
              conversation: null,
            };
            const line = formatEvent(e, {
              color: opts.color && opts.interactive,
              me: session.nick,
              current: null,
            });
            if (line !== null) show(line);
          },
        });
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const s of SIGNALS) process.off(s, onSignal);
    void logs?.close().finally(() => process.kill(process.pid, signal));
  };
  // Plain mode only: the interactive view handles them itself and returns normally.
  const mine =
    logs !== null && !opts.interactive ? SIGNALS.filter((s) => process.listenerCount(s) === 0) : [];
  for (const s of mine) process.on(s, onSignal);
  return {
    async close() {
      for (const s of mine) process.off(s, onSignal);
      stopNotifier();
      await logs?.close();
    },
  };
}
