// `parley connect`: find the server (--discover), build the session, the controller and the UI (interactive on a TTY, plain otherwise).
import { ChatController, type LineInfo } from '../client/app.js';
import { SERVER_WINDOW_ID } from '../client/route.js';
import { unsentNote } from '../client/outbox.js';
import { ClientSession } from '../client/session.js';
import { InteractiveView } from '../client/ui/interactive.js';
import { PlainView, runPlain } from '../client/ui/plain.js';
import { loadConnectSettings, PASSWORD_ENV, type PasswordSource } from './connect-options.js';
import { connectHelp } from './connect-table.js';
import { startExtras } from './connect-extras.js';
import { discoverAndPick } from './discover-prompt.js';
import { CliError } from './errors.js';
import { readPasswordFile, readSecret } from './secrets.js';
import { settleTrust } from './tls-trust.js';

/** Where a line of the client's own (a log failure) goes in the windowed view. */
const SERVER_LINE = (): LineInfo => ({
  windows: [SERVER_WINDOW_ID],
  time: Date.now(),
  placed: false,
  unread: false,
  read: null,
  history: false,
});

export async function connect(argv: string[]): Promise<number> {
  const isTty = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const settings = loadConnectSettings(argv, isTty);
  if (settings.help) {
    process.stdout.write(connectHelp() + '\n');
    return 0;
  }
  const password = settings.login === null ? null : await accountPassword(settings.login);
  let { host, port, tls } = settings;
  if (settings.discover) {
    const picked = await discoverAndPick({
      timeMs: settings.discoverTime,
      iface: settings.discoverInterface,
      count: settings.discoverCount,
      interactive: isTty,
      input: process.stdin,
      output: process.stderr,
    });
    ({ address: host, port } = picked);
    tls ||= picked.tls;
  }
  // A self-signed certificate is pinned on first use (asking at a terminal); a changed one stops here.
  const tlsPin =
    tls && !settings.tlsInsecure
      ? await settleTrust({
          host,
          port,
          file: settings.knownHosts,
          interactive: !settings.plain && isTty,
          input: process.stdin,
          output: process.stderr,
        })
      : null;
  const session = new ClientSession({
    host,
    port,
    tls,
    tlsInsecure: settings.tlsInsecure,
    tlsPin,
    nick: settings.nick,
    realname: settings.realname,
    password: settings.password,
    account: password === null ? null : { name: settings.account, password },
    saslRequired: settings.saslRequired,
    history: settings.history ? {} : false,
    channels: settings.channels,
    highlight: settings.highlight,
    altNicks: settings.altNicks,
    reconnect: settings.reconnect ? {} : false,
  });
  // --log and --notify: their lines are shown by the view once there is one.
  let show = (line: string): void => void process.stderr.write(line + '\n');
  const extras = startExtras(
    session,
    {
      logDir: settings.logDir,
      notify: settings.notify,
      color: settings.color,
      host,
      port,
      tls,
      interactive: !settings.plain,
      out: process.stdout,
    },
    (line) => show(line),
  );
  let code: number;
  if (settings.plain) {
    const view = new PlainView(process.stdout);
    show = (line) => view.print(line);
    const controller = new ChatController(session, view, false, settings.channel);
    session.start();
    code = await runPlain(controller, session, process.stdin);
  } else {
    const view = new InteractiveView(process.stdout, {
      color: settings.color,
      inline: settings.inline,
      nicklist: settings.nicklist,
    });
    // A log failure is news about this client, not a conversation: the server window.
    show = (line) => view.print(line, SERVER_LINE());
    const controller = new ChatController(session, view, settings.color, settings.channel);
    session.start();
    code = await view.run(controller, session, process.stdin);
    // The screen is gone: lines typed while disconnected and dropped by /quit are said here
    // (queued in the session, or still waiting in the view for a registration).
    const unsent = session.unsent + view.unsent;
    if (code === 0 && unsent > 0) {
      process.stderr.write(`parley: ${unsentNote(unsent)}\n`);
      code = 1;
    }
  }
  session.close();
  await extras.close();
  return code;
}

/** The account password from where the flags say; never echoed, never in an error message. */
export async function accountPassword(source: PasswordSource): Promise<string> {
  let password: string;
  if (source.kind === 'env') password = source.value;
  else if (source.kind === 'ask') password = await readSecret('Password (not shown): ');
  else password = readPasswordFile(source.path);
  if (password === '') {
    const where =
      source.kind === 'env'
        ? PASSWORD_ENV
        : source.kind === 'file'
          ? `--password-file ${source.path} (first line)`
          : '--password';
    throw new CliError(`an empty password from ${where}: nothing to log in with`);
  }
  // Out of the environment once read: no child process inherits it.
  delete process.env[PASSWORD_ENV];
  return password;
}
