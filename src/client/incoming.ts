// What the server tells us once connected: messages, joins, parts, nick changes, topics, modes, names, numerics, turned into state updates and SessionEvents.
import { RPL, type Message } from '../protocol/index.js';
import type { ChatMessage, MessageKind, SessionEvent } from './events.js';
import { parseMarkRead } from './markers.js';
import { parseCtcp } from './outgoing.js';
import { describeReply, JOIN_REFUSALS } from './replies.js';
import type { ClientState } from './state.js';

/** What the handlers need from the session. */
export interface IncomingHost {
  readonly state: ClientState;
  /** Our current nick. */
  nick(): string;
  /** Words that make a channel message a highlight besides our nick (--highlight). */
  readonly highlights: readonly string[];
  now(): number;
  emit(event: SessionEvent): void;
  /** Answer a CTCP request (VERSION, PING...) from `from`. */
  ctcpRequest(from: string, command: string, args: string): void;
  /** Our own prefix seen from the server (our JOIN): real user and host, for line budgets. */
  learnSelf(user: string, host: string): void;
  /** The server confirmed our nick change. */
  selfRenamed(to: string): void;
}

interface Source {
  nick: string;
  user: string;
  host: string;
  /** A server (or no source at all) rather than a person. */
  server: boolean;
}

function splitSource(source: string | null): Source {
  if (source === null || source === '') return { nick: '', user: '', host: '', server: true };
  const bang = source.indexOf('!');
  const at = source.indexOf('@', bang === -1 ? 0 : bang);
  const nick = source.slice(0, bang !== -1 ? bang : at !== -1 ? at : source.length);
  const user = bang === -1 ? '' : source.slice(bang + 1, at === -1 ? source.length : at);
  const host = at === -1 ? '' : source.slice(at + 1);
  return { nick, user, host, server: bang === -1 && at === -1 }; // no user@host: a server
}

/** Epoch ms of the server-time tag, or the local clock when it is absent or unreadable. */
function timeOf(msg: Message, now: () => number): number {
  const t = msg.tags?.get('time');
  if (t === undefined) return now();
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms : now();
}

const NICK_CHAR = /[A-Za-z0-9[\]\\`_^{|}-]/;

/** Does `text` mention `nick` as a whole word (compared with the server's case mapping)? */
export function mentions(text: string, nick: string, fold: (s: string) => string): boolean {
  if (nick.length === 0) return false;
  const t = fold(text);
  const n = fold(nick);
  for (let i = t.indexOf(n); i !== -1; i = t.indexOf(n, i + 1)) {
    const before = i === 0 ? '' : t[i - 1];
    const after = t[i + n.length] ?? '';
    if (!NICK_CHAR.test(before) && !NICK_CHAR.test(after)) return true;
  }
  return false;
}

/** Handle one line from the server. Never throws on odd input: every parameter may be missing. */
export function handleIncoming(host: IncomingHost, msg: Message): void {
  const st = host.state;
  const p = msg.params;
  const src = splitSource(msg.source);
  const time = timeOf(msg, () => host.now());
  const isSelf = (nick: string) => nick.length > 0 && st.same(nick, host.nick());

  switch (msg.command) {
    case 'PRIVMSG':
    case 'NOTICE':
      return chat(host, msg, src, time);

    // JOIN <channel>
    case 'JOIN': {
      const channel = p[0];
      if (channel === undefined || channel === '' || src.nick === '') return;
      const self = isSelf(src.nick);
      if (self) host.learnSelf(src.user, src.host);
      else if (!st.hasChannel(channel)) return;
      st.joined(channel, src.nick, self);
      host.emit({ type: 'join', time, nick: src.nick, channel: st.channelName(channel), self });
      return;
    }

    // PART <channel> [<reason>]
    case 'PART': {
      const channel = p[0];
      if (channel === undefined || src.nick === '') return;
      const self = isSelf(src.nick);
      const name = st.channelName(channel);
      st.left(channel, src.nick, self);
      host.emit({ type: 'part', time, nick: src.nick, channel: name, reason: p[1] ?? '', self });
      return;
    }

    // KICK <channel> <nick> [<reason>]
    case 'KICK': {
      const [channel, victim] = p;
      if (channel === undefined || victim === undefined) return;
      const self = isSelf(victim);
      const name = st.channelName(channel);
      st.left(channel, victim, self);
      const by = src.nick || 'server';
      host.emit({ type: 'kick', time, by, nick: victim, channel: name, reason: p[2] ?? '', self });
      return;
    }

    // QUIT [<reason>]
    case 'QUIT': {
      if (src.nick === '' || isSelf(src.nick)) return; // our own end arrives as the socket closing
      const channels = st.quit(src.nick);
      host.emit({ type: 'quit', time, nick: src.nick, reason: p[0] ?? '', channels });
      return;
    }

    // NICK <nickname>
    case 'NICK': {
      const to = p[0];
      if (to === undefined || to === '' || src.nick === '') return;
      const self = isSelf(src.nick);
      const channels = st.renamed(src.nick, to);
      if (self) host.selfRenamed(to);
      host.emit({ type: 'nick', time, from: src.nick, to, self, channels });
      return;
    }

    // TOPIC <channel> <topic>
    case 'TOPIC': {
      const channel = p[0];
      if (channel === undefined) return;
      const topic = p[1] ?? '';
      st.setTopic(channel, topic);
      const by = src.nick || null;
      host.emit({ type: 'topic', time, channel: st.channelName(channel), topic, by });
      return;
    }

    // MODE <target> <modes> [<args>...]
    case 'MODE': {
      const target = p[0];
      if (target === undefined || p.length < 2) return;
      if (st.isChannel(target)) st.channelModes(target, p[1], p.slice(2));
      const by = src.nick || 'server';
      const shown = st.isChannel(target) ? st.channelName(target) : target;
      host.emit({ type: 'mode', time, target: shown, by, modes: p.slice(1) });
      return;
    }

    // AWAY [<message>]   (away-notify)
    case 'AWAY': {
      if (src.nick === '') return;
      const message = p[0] === undefined || p[0] === '' ? null : p[0];
      host.emit({ type: 'away', time, nick: src.nick, message });
      return;
    }

    // INVITE <nick> <channel>
    case 'INVITE': {
      const channel = p[1];
      if (channel === undefined || src.nick === '') return;
      host.emit({ type: 'invite', time, from: src.nick, channel });
      return;
    }

    // REGISTER SUCCESS|VERIFICATION_REQUIRED <account> <message>   (draft/account-registration)
    case 'REGISTER': {
      const [result, account] = p;
      const said = p.length >= 3 ? `: ${p[p.length - 1]}` : '';
      const text =
        result === 'SUCCESS'
          ? `registered account ${account ?? ''}${said}`
          : `account ${account ?? ''} registered, to be verified${said}`;
      host.emit({ type: 'info', time, text, conversation: null });
      return;
    }

    // MARKREAD <target> timestamp=<time>|*   (draft/read-marker; `self` is settled by the feed)
    case 'MARKREAD': {
      const mark = parseMarkRead(p);
      if (mark !== null) host.emit({ type: 'readmarker', ...mark, self: false });
      return;
    }

    // FAIL/WARN/NOTE <command> <code> [<context>...] <description>   (standard-replies)
    case 'FAIL':
    case 'WARN':
    case 'NOTE': {
      const text = p.length >= 3 ? p[p.length - 1] : p.join(' ');
      const command = p[0] !== undefined && p[0] !== '*' ? ` (${p[0]})` : '';
      if (msg.command === 'FAIL' && p[0] === 'REGISTER' && p.length >= 3) {
        const failed = `registration failed: ${text} (${p[1]})`;
        host.emit({ type: 'error', time, text: failed, code: p[1], conversation: null });
      } else if (msg.command === 'FAIL') {
        const code = p[1] ?? 'FAIL';
        host.emit({ type: 'error', time, text: text + command, code, conversation: null });
      } else host.emit({ type: 'info', time, text: text + command, conversation: null });
      return;
    }

    // 332 <me> <channel> <topic>
    case RPL.TOPIC: {
      const channel = p[1];
      if (channel === undefined) return;
      st.setTopic(channel, p[2] ?? '');
      host.emit({
        type: 'topic',
        time,
        channel: st.channelName(channel),
        topic: p[2] ?? '',
        by: null,
      });
      return;
    }

    // 353 <me> <symbol> <channel> <names>   (RFC 1459 servers leave out the symbol)
    case RPL.NAMREPLY: {
      const [channel, names] = p.length >= 4 ? [p[2], p[3]] : [p[1], p[2]];
      if (channel === undefined) return;
      st.namesLine(
        channel,
        (names ?? '').split(' ').filter((n) => n.length > 0),
      );
      return;
    }

    // 366 <me> <channel> :End of /NAMES list
    case RPL.ENDOFNAMES: {
      const done = p[1] === undefined ? null : st.namesEnd(p[1]);
      if (done === null) return;
      const nicks = done.members.map((m) => m.nick);
      const prefixes = done.members.map((m) => m.prefix);
      host.emit({ type: 'names', channel: done.name, nicks, prefixes });
      return;
    }

    default:
      if (/^\d{3}$/.test(msg.command)) numeric(host, msg.command, p.slice(1), time);
    // Anything else (BATCH, TAGMSG, CHGHOST, ACCOUNT, commands we don't know) is ignored.
  }
}

/** A numeric reply as an info or error line; in a channel's window when it is about one we are in. */
function numeric(host: IncomingHost, command: string, params: string[], time: number): void {
  const r = describeReply(command, params);
  if (r === null) return;
  const st = host.state;
  const conversation =
    r.channel !== null && st.hasChannel(r.channel) ? st.channelName(r.channel) : null;
  if (r.error) {
    const channel = r.channel ?? (JOIN_REFUSALS.has(command) ? (params[0] ?? null) : null);
    host.emit({ type: 'error', time, text: r.text, code: command, conversation, channel });
  } else host.emit({ type: 'info', time, text: r.text, conversation });
}

// PRIVMSG/NOTICE <target> <text>
function chat(host: IncomingHost, msg: Message, src: Source, time: number): void {
  const st = host.state;
  const target = msg.params[0];
  let text = msg.params[1] ?? '';
  if (target === undefined || target === '') return;
  const notice = msg.command === 'NOTICE';
  if (src.server || src.nick === '') {
    // Server notices (before registration often to `*` or `AUTH`) are status lines, not chat.
    host.emit({ type: 'info', time, text, conversation: null });
    return;
  }
  const self = st.same(src.nick, host.nick());
  let kind: MessageKind = notice ? 'notice' : 'privmsg';
  const c = parseCtcp(text);
  if (c !== null) {
    if (c.command !== 'ACTION') {
      if (notice && !self) {
        const args = c.args.length > 0 ? `: ${c.args}` : '';
        host.emit({
          type: 'info',
          time,
          text: `CTCP ${c.command} reply from ${src.nick}${args}`,
          conversation: null,
        });
      } else if (!self) host.ctcpRequest(src.nick, c.command, c.args);
      return;
    }
    kind = 'action';
    text = c.args;
  }
  const bare = st.stripStatus(target);
  const isChannel = st.isChannel(bare);
  const conversation = isChannel ? st.channelName(bare) : self ? target : src.nick;
  const event: ChatMessage = {
    type: 'message',
    time,
    kind,
    from: src.nick,
    target,
    conversation,
    text,
    self,
    private: !isChannel,
    highlight:
      !self &&
      (!isChannel ||
        mentions(text, host.nick(), (s) => st.fold(s)) ||
        host.highlights.some((w) => mentions(text, w, (s) => st.fold(s)))),
  };
  const msgid = msg.tags?.get('msgid');
  if (msgid !== undefined && msgid !== '') event.msgid = msgid;
  host.emit(event);
}
