// Private messages between cluster nodes: what the sender's node publishes, and how the recipient's node delivers it as if from a local user.
import type { Tags } from '../protocol/index.js';
import type { BusMessage } from '../cluster/messages.js';
import { CAPBIT } from './capabilities.js';
import { consoleForm } from '../store/console.js';
import { ServerEvent } from './event.js';
import { setCurrent } from './flow.js';
import type { RemoteFlow } from './remote-flow.js';
import type { Server } from './server.js';
import type { User } from './user.js';

type Delivery = Extract<BusMessage, { t: 'deliver' }>;

/** The bus message carrying `out` (PRIVMSG, NOTICE or TAGMSG) from `from` here to `to` of another node. */
export function deliveryOf(
  from: User,
  to: User,
  verb: string,
  text: string | null,
  tags: Tags | null,
  out: ServerEvent,
): Delivery {
  return {
    t: 'deliver',
    src: from.prefix,
    from: from.nick,
    account: from.accountName,
    verb,
    to: to.nick,
    text,
    tags: tags === null ? null : [...tags],
    ms: out.stamp.ms,
    time: out.stamp.time,
    msgid: out.stamp.msgid,
  };
}

/** A message from another node's user to one of ours (shown on the console when `show`). */
export function delivered(server: Server, flow: RemoteFlow, m: Delivery, show: boolean): void {
  const to = server.network.findUser(m.to);
  if (to === undefined) return; // gone meanwhile: the sender's node could not know
  const params = m.text === null ? [to.nick] : [to.nick, m.text];
  const out = new ServerEvent(
    m.src,
    m.verb,
    params,
    { ms: m.ms, time: m.time, msgid: m.msgid },
    m.tags === null ? null : new Map(m.tags),
  );
  out.account = m.account;
  if (m.verb === 'TAGMSG' && !to.client.has(CAPBIT.MESSAGE_TAGS)) return;
  // A reader here over the mark holds its sender back through the sender's node.
  const from = server.network.findUser(m.from);
  const was = from?.remote != null ? setCurrent(flow.senderFor(from)) : undefined;
  server.network.deliver.toUser(to, out);
  if (was !== undefined) setCurrent(was);
  if (m.text !== null && show) {
    const { kind, text } = consoleForm(m.verb, m.text);
    server.chatlog.privateMessage(m.ms, m.from, [to.nick], text, kind);
  }
}
