// What the user sends, in order: held until registration completes, messages cut to TARGMAX and 512 bytes, and a local echo when the server has no echo-message.
import type { MessageKind, SessionEvent } from './events.js';
import { messageLines, targetList, textLines, type Sender } from './outgoing.js';
import type { ClientState } from './state.js';

/** User actions kept while not connected; more are refused with an error event. */
const MAX_QUEUE = 1000;

export interface OutboxHost {
  readonly state: ClientState;
  /** Registered and the link is up: lines can go out now. */
  canSend(): boolean;
  /** Closed for good: anything sent is dropped. */
  stopped(): boolean;
  /** Who the server will say the message is from (for the byte budget). */
  sender(): Sender;
  /** The server echoes our messages back (echo-message). */
  echoes(): boolean;
  write(line: string): void;
  emit(event: SessionEvent): void;
  now(): number;
}

/** What the user is told when the session ends with `n` of their lines still waiting. */
export function unsentNote(n: number): string {
  return `not sent: ${n === 1 ? '1 line was' : `${n} lines were`} waiting for the connection when it ended`;
}

export class Outbox {
  private queue: Array<() => void> = [];
  /** How many queued actions are the session's own (its QUIT), not counted as the user's lines. */
  private own = 0;

  constructor(private readonly host: OutboxHost) {}

  /**
   * Run `action` now if we can send, else after registration, in the order of the calls. `own`:
   * the session's (QUIT), not a line of the user's to count as unsent if dropped.
   */
  whenReady(action: () => void, own = false): void {
    const h = this.host;
    if (h.stopped()) return;
    if (h.canSend()) return action();
    if (this.queue.length >= MAX_QUEUE) {
      const text = 'Not connected, and too much is waiting to be sent: dropped';
      h.emit({ type: 'error', time: h.now(), text, code: 'QUEUE', conversation: null });
      return;
    }
    this.queue.push(action);
    if (own) this.own++;
  }

  /** How many of the user's actions wait for the connection. */
  get size(): number {
    return this.queue.length - this.own;
  }

  /** Registration completed: run what waited, in order. */
  flush(): void {
    const queued = this.queue;
    this.queue = [];
    this.own = 0;
    for (const action of queued) action();
  }

  /** Drop what waits (the session ended before a registration); returns how many were dropped. */
  clear(): number {
    const dropped = this.size;
    this.queue = [];
    this.own = 0;
    return dropped;
  }

  /** PRIVMSG/NOTICE (ACTION for `kind: 'action'`) to one or several targets; newlines split it. */
  message(
    command: 'PRIVMSG' | 'NOTICE',
    kind: MessageKind,
    target: string | readonly string[],
    text: string,
  ): void {
    const lines = textLines(text);
    if (lines.length === 0) return;
    this.whenReady(() => {
      const h = this.host;
      const st = h.state;
      const targets = targetList(target, (s) => st.fold(s));
      const max = st.maxTargets(command);
      const echoes = h.echoes();
      for (const m of messageLines(command, kind === 'action', targets, lines, h.sender(), max)) {
        h.write(m.line);
        if (!echoes) for (const t of m.targets) this.localEcho(kind, t, m.text);
      }
    });
  }

  /** Without echo-message, show our own message the way an echo would have. */
  private localEcho(kind: MessageKind, target: string, text: string): void {
    const h = this.host;
    const st = h.state;
    const from = h.sender().nick;
    const bare = st.stripStatus(target);
    if (st.same(bare, from)) return; // the server delivers a message to ourselves anyway
    const isChannel = st.isChannel(bare);
    h.emit({
      type: 'message',
      time: h.now(),
      kind,
      from,
      target,
      conversation: isChannel ? st.channelName(bare) : target,
      text,
      self: true,
      private: !isChannel,
      highlight: false,
    });
  }
}
