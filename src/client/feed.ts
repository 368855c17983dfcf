// The feed: the session's events on their way to the UI's listeners, live chat (incoming.ts) and replayed history (catchup.ts) merged so no line shows twice, our services passwords hidden, CTCP requests answered at a bounded rate.
import { serializeBody, type Message } from '../protocol/index.js';
import { CatchUp } from './catchup.js';
import type { ChatMessage, SessionEvent } from './events.js';
import { handleIncoming, type IncomingHost } from './incoming.js';
import type { ReadMark } from './markers.js';
import type { ResolvedOptions } from './options.js';
import { ctcp, ctcpAnswer } from './outgoing.js';
import type { ClientState } from './state.js';

/** At most one CTCP answer per this many ms, so a CTCP flood can't get us killed for flooding. */
const CTCP_REPLY_MS = 1000;

export type Listener = (event: SessionEvent) => void;

/** What the feed needs from the session. */
export interface FeedHost {
  readonly opts: ResolvedOptions;
  readonly state: ClientState;
  /** Our current nick. */
  nick(): string;
  /** IRCv3 capabilities in force on this link. */
  caps(): ReadonlySet<string>;
  /** Logged into an account on this link. */
  loggedIn(): boolean;
  write(line: string): void;
  /** Our own prefix seen from the server (our JOIN): real user and host, for line budgets. */
  learnSelf(user: string, host: string): void;
  /** The server confirmed our nick change. */
  selfRenamed(to: string): void;
  /** A read marker arrived: remember it; true when it is our own MARKREAD coming back. */
  readMarker(mark: ReadMark): boolean;
  /** Catch-up is about to fetch a private conversation: ask for its read marker first. */
  queryMarker(target: string): void;
}

/** Our own `REGISTER`/`IDENTIFY` to a services bot, echoed back (echo-message): the password hidden. */
function hideSecret(m: ChatMessage): string {
  if (!m.self || !/^(NickServ|services)$/i.test(m.target)) return m.text;
  return m.text.replace(/^(\s*(?:REGISTER|IDENTIFY|SET\s+PASSWORD)\s+).*$/i, '$1********');
}

/** One per session: survives reconnects, as the CatchUp it holds does. */
export class Feed {
  /** What was seen in each conversation, and the history fetched on each (re)connect. */
  readonly catchUp: CatchUp;
  private readonly listeners = new Set<Listener>();
  private readonly incoming: IncomingHost;
  private lastCtcpReply = -Infinity;

  constructor(private readonly host: FeedHost) {
    this.incoming = {
      state: host.state,
      nick: () => host.nick(),
      highlights: host.opts.highlight,
      now: () => host.opts.clock(),
      emit: (e) => {
        if (e.type === 'message' && !this.catchUp.fresh(e)) return; // replayed already
        if (e.type === 'message') e.text = hideSecret(e);
        if (e.type === 'join' && e.self) this.catchUp.joined(e.channel);
        if (e.type === 'readmarker') e.self = host.readMarker(e);
        this.emit(e);
        if (e.type === 'names') this.catchUp.namesEnded(e.channel);
      },
      ctcpRequest: (from, command, args) => this.ctcpRequest(from, command, args),
      learnSelf: (user, h) => host.learnSelf(user, h),
      selfRenamed: (to) => host.selfRenamed(to),
    };
    this.catchUp = this.makeCatchUp();
  }

  /** Subscribe; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A server line the link's upkeep did not take: held when it belongs to a history batch, else chat. */
  line(msg: Message): void {
    if (!this.catchUp.intercept(msg)) handleIncoming(this.incoming, msg);
  }

  /** A server line handled as chat (the upkeep shows the end of the MOTD this way). */
  chat(msg: Message): void {
    handleIncoming(this.incoming, msg);
  }

  error(code: string, text: string): void {
    this.emit({ type: 'error', time: this.host.opts.clock(), text, code, conversation: null });
  }

  emit(event: SessionEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        // A listener's bug is not ours to hide, but it must not break our state mid-update.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  private makeCatchUp(): CatchUp {
    const { opts, state: st } = this.host;
    const policy = opts.history ?? { firstFetch: 0, maxCatchUp: 0 };
    return new CatchUp({
      policy,
      enabled: () => opts.history !== null && this.host.caps().has('draft/chathistory'),
      loggedIn: () => this.host.loggedIn(),
      serverLimit: () => {
        const n = Number(st.isupport.get('CHATHISTORY'));
        return Number.isInteger(n) ? n : null;
      },
      fold: (name) => st.fold(name),
      isChannel: (name) => st.isChannel(name),
      write: (line) => this.host.write(line),
      beforeFetch: (target) => {
        if (!st.isChannel(target)) this.host.queryMarker(target);
      },
      now: () => opts.clock(),
      decode: (msg) => {
        // The replayed line through the usual handler, caught before it is shown; CTCP
        // requests in history are not answered again.
        let out: ChatMessage | null = null;
        const host: IncomingHost = {
          ...this.incoming,
          emit: (e) => {
            if (e.type === 'message') out = e;
          },
          ctcpRequest: () => {},
        };
        if (msg.command === 'PRIVMSG' || msg.command === 'NOTICE') handleIncoming(host, msg);
        return out;
      },
      replay: (messages) => {
        for (const m of messages) this.emit(m);
      },
    });
  }

  private ctcpRequest(from: string, command: string, args: string): void {
    const opts = this.host.opts;
    const now = opts.clock();
    const answer = ctcpAnswer(command, args, now, opts.version);
    if (answer === null || now - this.lastCtcpReply < CTCP_REPLY_MS) return;
    this.lastCtcpReply = now;
    this.host.write(serializeBody(null, 'NOTICE', [from, ctcp(command, answer)]));
  }
}
