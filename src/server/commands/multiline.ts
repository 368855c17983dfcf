// draft/multiline: a message of several lines, gathered from a client's BATCH and delivered as one.
//
// The client opens `BATCH +id draft/multiline <target>`, sends PRIVMSG (or NOTICE) lines to that
// target tagged `batch=id` (`draft/multiline-concat` joins a line to the one before without a line
// break), and closes with `BATCH -id`. Only then is anything delivered: to clients with the cap
// (and batch) as one batch whose opening line carries the msgid and time; to the others as one
// message per non-blank line, the first with the msgid. Limits: MAX_BYTES of text, MAX_LINES.
import {
  ERR,
  escapeTagValue,
  fold,
  isChannelName,
  serializeBody,
  type Tags,
} from '../../protocol/index.js';
import { CAPBIT } from '../capabilities.js';
import { MULTILINE_MAX_BYTES, MULTILINE_MAX_LINES } from '../limits.js';
import type { AccountRecord } from '../../store/types.js';
import type { Channel } from '../channel.js';
import type { User } from '../user.js';
import type { Client } from '../client.js';
import type { Request } from './request.js';
import { stampTags } from '../event.js';
import { batchId } from '../history.js';
import { speakRefusal } from './messaging.js';
import type { CommandSpec } from './table.js';

const TYPE = 'draft/multiline';
const CONCAT = 'draft/multiline-concat';

/** A batch being gathered (Client.multiline). */
export interface Gathering {
  id: string;
  target: string;
  verb: 'PRIVMSG' | 'NOTICE' | null;
  lines: Array<{ text: string; concat: boolean }>;
  bytes: number;
  /** Client-only tags of the opening line, given to every delivered line. */
  tags: Tags | null;
  /** The opening line's label (labeled-response), answered with the echo at the end. */
  label: string | null;
  /** A FAIL was sent: the rest of the batch is ignored up to its BATCH -id. */
  failed: boolean;
}

/** FAIL BATCH <code> ...: the open batch (if any) is dropped, up to its BATCH -id. */
function fail(req: Request, code: string, ...rest: string[]): void {
  const open = req.client.multiline;
  if (open !== null) open.failed = true;
  req.line(req.server.config.name, 'FAIL', ['BATCH', code, ...rest]);
}

// BATCH +<id> draft/multiline <target>  |  BATCH -<id>
function batch(req: Request): void {
  const ref = req.params[0];
  const open = req.client.multiline;
  if (ref.startsWith('+')) {
    if (req.params[1] !== TYPE || req.params[2] === undefined || ref.length < 2) {
      return fail(req, 'MULTILINE_INVALID', `Only ${TYPE} <target> batches are taken`);
    }
    if (!req.client.has(CAPBIT.MULTILINE)) {
      return fail(req, 'MULTILINE_INVALID', `Negotiate ${TYPE} first`);
    }
    if (open !== null) return fail(req, 'MULTILINE_INVALID', 'A batch is already open');
    req.client.multiline = {
      id: ref.slice(1),
      target: req.params[2],
      verb: null,
      lines: [],
      bytes: 0,
      tags: req.clientTags(),
      label: req.deferLabel(),
      failed: false,
    };
    return;
  }
  if (!ref.startsWith('-') || open === null || ref.slice(1) !== open.id) {
    return fail(req, 'MULTILINE_INVALID', 'No such batch is open');
  }
  req.client.multiline = null;
  if (open.failed) return;
  if (open.lines.length === 0 || open.lines.every((l) => l.text === '')) {
    return fail(req, 'MULTILINE_INVALID', 'The batch holds no text');
  }
  deliver(req, open);
}

/**
 * A PRIVMSG/NOTICE with a `batch` tag (messaging.ts hands it here): one more line of the open batch,
 * or FAIL (and the batch is dropped).
 */
export function addLine(req: Request, verb: 'PRIVMSG' | 'NOTICE', ref: string): void {
  const g = req.client.multiline;
  if (g === null || ref !== g.id) return fail(req, 'MULTILINE_INVALID', 'No such batch is open');
  const [target, text = ''] = req.params;
  if (target === undefined || fold(target) !== fold(g.target)) {
    return fail(
      req,
      'MULTILINE_INVALID_TARGET',
      g.target,
      target ?? '*',
      'Every line must go to the batch target',
    );
  }
  if (g.verb !== null && g.verb !== verb) {
    return fail(req, 'MULTILINE_INVALID', 'A batch holds PRIVMSG or NOTICE, not both');
  }
  const concat = req.msg.tags?.has(CONCAT) === true;
  if (concat && text === '') {
    return fail(req, 'MULTILINE_INVALID', 'A blank line cannot be joined to the one before');
  }
  g.verb = verb;
  g.bytes += Buffer.byteLength(text);
  if (g.bytes > MULTILINE_MAX_BYTES) {
    return fail(
      req,
      'MULTILINE_MAX_BYTES',
      String(MULTILINE_MAX_BYTES),
      'The batch holds too much text',
    );
  }
  if (g.lines.length >= MULTILINE_MAX_LINES) {
    return fail(
      req,
      'MULTILINE_MAX_LINES',
      String(MULTILINE_MAX_LINES),
      'The batch holds too many lines',
    );
  }
  g.lines.push({ text, concat });
}

function deliver(req: Request, g: Gathering): void {
  const { server } = req;
  const { network } = server;
  const user = req.user;
  const verb = g.verb ?? 'PRIVMSG';
  const quiet = verb === 'NOTICE';
  const channel = isChannelName(g.target) ? network.findChannel(g.target) : null;
  if (channel !== null) {
    if (channel === undefined) {
      if (!quiet) req.numeric(ERR.NOSUCHCHANNEL, g.target, 'No such channel');
      return;
    }
    const refused = speakRefusal(channel, user, false);
    if (refused !== null) {
      if (!quiet) req.numeric(ERR.CANNOTSENDTOCHAN, channel.name, refused);
      return;
    }
    send(
      req,
      g,
      verb,
      channel.name,
      [...channel.members.keys()].filter((u) => u !== user),
      channel,
    );
    return;
  }
  const to = network.findUser(g.target);
  const noSuchNick = () => {
    if (!quiet) req.numeric(ERR.NOSUCHNICK, g.target, 'No such nick/channel');
  };
  if (to === undefined) {
    // Nobody online by that nick: an account whose users are offline keeps it for their next
    // login, as a single line would be kept (offline.ts); the sender's later lines wait.
    const store = server.store;
    if (store === null || user.remote !== null) return noSuchNick();
    req.waitFor(
      store.accounts.get(fold(g.target)),
      (account) => {
        if (account === null) noSuchNick();
        else send(req, g, verb, account.name, [], null, account);
      },
      noSuchNick,
    );
    return;
  }
  // An always-on user with no connection keeps it in its inbox too.
  if (to.detached) send(req, g, verb, to.nick, [], null, { key: to.account!, name: to.nick });
  else send(req, g, verb, to.nick, to === user ? [] : [to], null);
}

/**
 * The gathered message to `target`: to `recipients` (and their other connections), the sender's
 * other connections and its echo; then history, and `offline`'s inbox when it goes to an account
 * with nobody connected; then the console.
 */
function send(
  req: Request,
  g: Gathering,
  verb: 'PRIVMSG' | 'NOTICE',
  target: string,
  recipients: User[],
  channel: Channel | null,
  offline: Pick<AccountRecord, 'key' | 'name'> | null = null,
): void {
  const { server } = req;
  const user = req.user;
  const quiet = verb === 'NOTICE';
  const stamp = server.stamper.next();
  const id = batchId('ml');
  const head = stampTags(stamp, CAPBIT.MESSAGE_TAGS, g.tags);
  let whole = `@${head} :${user.prefix} BATCH +${id} ${TYPE} ${target}\r\n`;
  for (const l of g.lines) {
    const tags = `@batch=${id}${l.concat ? ';' + CONCAT : ''}`;
    whole += `${tags} ${serializeBody(user.prefix, verb, [target, l.text])}\r\n`;
  }
  whole += `:${user.prefix} BATCH -${id}\r\n`;
  const asBatch = Buffer.from(whole);
  const shown = g.lines.filter((l) => l.text !== '');
  // One message per non-blank line, the first with the msgid: built once per tag variant.
  const fallbacks = new Map<number, Buffer>();
  const fallback = (caps: number): Buffer => {
    const variant = caps & (CAPBIT.SERVER_TIME | CAPBIT.MESSAGE_TAGS);
    let built = fallbacks.get(variant);
    if (built === undefined) {
      let text = '';
      for (const [k, l] of shown.entries()) {
        const tags = stampTags(stamp, variant, g.tags, k === 0);
        const body = serializeBody(user.prefix, verb, [target, l.text]);
        text += (tags === '' ? '' : '@' + tags + ' ') + body + '\r\n';
      }
      fallbacks.set(variant, (built = Buffer.from(text)));
    }
    return built;
  };
  const both = CAPBIT.MULTILINE | CAPBIT.BATCH;
  const deliver = (s: Client) => s.conn.send((s.caps & both) === both ? asBatch : fallback(s.caps));
  for (const r of recipients) {
    deliver(r.client);
    if (r.others !== null) r.others.forEach(deliver); // its other connections (--multiclient)
  }
  // The sender's other connections see what it sent, as for a single line (messaging.ts).
  for (const s of user.sessions()) if (s !== req.client) deliver(s);
  if (req.client.has(CAPBIT.ECHO_MESSAGE)) {
    const label = g.label === null ? '' : `@label=${escapeTagValue(g.label)};`;
    req.client.conn.send(Buffer.from(label === '' ? whole : label + whole.slice(1)));
  } else if (g.label !== null) {
    req.client.conn.send(
      Buffer.from(`@label=${escapeTagValue(g.label)} :${server.config.name} ACK\r\n`),
    );
  }
  if (channel) server.history?.channelLines(stamp, verb, channel, user, g.tags, g.lines);
  else if (offline !== null) {
    const to = { historyId: 'a:' + offline.key, nick: offline.name };
    server.history?.privateLines(stamp, verb, user, to, g.tags, g.lines);
    server.store?.accounts.addToInbox(offline.key, stamp.msgid);
  }
  // In a cluster every node runs it: kept where it was sent from, like a private message.
  else if (user.remote === null) {
    server.history?.privateLines(stamp, verb, user, recipients[0] ?? user, g.tags, g.lines);
  }
  const kind = quiet ? 'notice' : 'privmsg';
  // In a cluster every node runs it (replica.ts): a private one shows where one side is.
  const local = user.remote === null || recipients.some((r) => r.remote === null);
  for (const l of shown) {
    if (channel) server.chatlog.channelMessage(stamp.ms, target, user.nick, l.text, kind);
    else if (local) server.chatlog.privateMessage(stamp.ms, user.nick, [target], l.text, kind);
  }
}

export const multilineCommands: CommandSpec[] = [
  {
    name: 'BATCH',
    syntax: 'BATCH +<id> draft/multiline <target> | BATCH -<id>',
    help: `Send one message of several lines (draft/multiline: at most ${MULTILINE_MAX_LINES} lines, ${MULTILINE_MAX_BYTES} bytes).`,
    minParams: 1,
    handler: batch,
  },
];
