// The console log of exchanged messages the seed asks for: who said what to whom, in receipt order.
//
// Lines are encoded into one Buffer and written with one call per 10 ms (FLUSH_MS) to an
// asynchronous sink, so a slow terminal never stalls delivery. Remote text is stripped of control
// characters so no user can drive the operator's terminal.
//
// With the history writer on (pipe.ts), the writer prints the log instead (`relay`): every line
// goes down its pipe in order with the records, and a fast-path private message is not written
// twice (once as a log line, once as a record) but shown by the writer from its record, and so
// is a channel message (channelShownByStore): the log's cost was its bytes, not its formatting.
import { stripControls } from '../protocol/index.js';
import { copyBytes } from '../protocol/bytes.js';
import {
  channelConsoleLine,
  ConsoleClock,
  privateConsoleLine,
  type MessageKind,
  type Sink,
} from '../store/console.js';
import type { ConsoleRelay } from '../store/types.js';
import type { User } from './user.js';

export type { MessageKind, Sink };

/** First size of the pending buffer; it doubles as needed and the next one starts from that size. */
const INITIAL_CHUNK = 16 * 1024;
const ARROW = Buffer.from(' -> ');
/** Lines are gathered this long before one write: each write is a round trip through libuv's
 * thread pool (the sink is asynchronous), which at a message per turn cost more than the line. */
const FLUSH_MS = 10;

export type ChatFormat = 'text' | 'json';

export class ChatLog {
  // One Buffer per write, filled in place: appending to a string instead builds a rope of every
  // line that the sink then flattens and measures (6% of the server's time with private messages).
  private pending: Buffer | null = null;
  private pendingBytes = 0;
  /**
   * A written chunk's Buffer, filled again next: a fresh one per write (~100 a second, hundreds of
   * KiB each when busy) cost a private-message burst ~8% of its throughput in new pages.
   */
  private spare: Buffer | null = null;
  private chunkSize = INITIAL_CHUNK;
  private timer: NodeJS.Timeout | null = null;
  private readonly clock = new ConsoleClock();
  private clockText = '';
  private clockTextBytes = Buffer.alloc(0);

  /**
   * The store's console (Store.console) while it is open: lines go to it rather than the sink.
   * Once it closes (the writer gone), the log goes to the sink again.
   */
  relay: ConsoleRelay | null = null;

  /** Show private message text (the server sets this from its config's logPrivate). */
  logPrivate = true;
  /** Print anything at all (config's logChat): off leaves the console to diagnostics. */
  enabled = true;
  /** Only private messages (a `--workers` worker other than the first: the first shows the rest). */
  privateOnly = false;

  constructor(
    private readonly sink: Sink,
    private readonly format: ChatFormat = 'text',
  ) {}

  /** A PRIVMSG/NOTICE to a channel. `action` for CTCP ACTION (/me). */
  channelMessage(ms: number, channel: string, nick: string, text: string, kind: MessageKind) {
    if (!this.enabled || this.privateOnly) return;
    if (this.format === 'json')
      return this.json(ms, { type: kind, from: nick, to: [channel], text });
    this.text(ms, channelConsoleLine(channel, nick, text, kind));
  }

  /**
   * Whether the store is to print a channel message's line from its record (the relay open, the
   * text format): the caller then hands the record over marked `shown` and skips
   * channelMessage(); the writer prints what channelMessage() would.
   */
  channelShownByStore(): boolean {
    return this.enabled && !this.privateOnly && this.format === 'text' && this.relayOpen();
  }

  /** A PRIVMSG/NOTICE to one or more nicks. */
  privateMessage(ms: number, from: string, to: readonly string[], text: string, kind: MessageKind) {
    if (!this.enabled) return;
    const shown = this.logPrivate ? text : null;
    if (this.format === 'json') return this.json(ms, { type: kind, from, to, text: shown });
    const body = shown === null ? '[private]' : stripControls(shown);
    const said =
      kind === 'action'
        ? `* ${from} ${body}`
        : kind === 'notice'
          ? `-notice- ${body}`
          : kind === 'ctcp'
            ? `CTCP ${body}`
            : body;
    this.text(ms, privateConsoleLine(from, to.join(','), said));
  }

  /**
   * A PRIVMSG from `from` to `to` whose text is src[start, end), UTF-8 with nothing to strip,
   * copied as bytes: the fast path (direct.ts) never decodes it. The nicks come as bytes too.
   * True when the relay is to show it: the caller then hands the message to the store marked
   * `shown` (appendPrivate), which prints it from its record.
   */
  privateBytes(ms: number, from: User, to: User, src: Buffer, start: number, end: number) {
    if (!this.enabled) return false;
    if (this.format === 'json' || !this.logPrivate) {
      const text = src.toString('utf8', start, end);
      this.privateMessage(ms, from.nick, [to.nick], text, 'privmsg');
      return false;
    }
    if (this.relayOpen()) return true;
    const clock = this.clockBytes(ms);
    const fromNick = from.wireNick();
    const toNick = to.wireNick();
    const most = clock.length + fromNick.length + toNick.length + (end - start) + 8;
    const pending = this.reserve(most);
    let o = copyBytes(pending, this.pendingBytes, clock);
    o = copyBytes(pending, o, fromNick);
    o = copyBytes(pending, o, ARROW);
    o = copyBytes(pending, o, toNick);
    pending[o++] = 0x3a; // ':'
    pending[o++] = 0x20;
    o = copyBytes(pending, o, src, start, end);
    pending[o++] = 10;
    this.pendingBytes = o;
    return false;
  }

  join(ms: number, channel: string, nick: string): void {
    if (!this.enabled || this.privateOnly) return;
    if (this.format === 'json') return this.json(ms, { type: 'join', nick, channel });
    this.text(ms, `${channel} --> ${nick} joined`);
  }

  part(ms: number, channel: string, nick: string, reason: string): void {
    if (!this.enabled || this.privateOnly) return;
    if (this.format === 'json') return this.json(ms, { type: 'part', nick, channel, reason });
    this.text(ms, `${channel} <-- ${nick} left${reason ? ` (${stripControls(reason)})` : ''}`);
  }

  kick(ms: number, channel: string, by: string, nick: string, reason: string): void {
    if (!this.enabled || this.privateOnly) return;
    if (this.format === 'json') return this.json(ms, { type: 'kick', by, nick, channel, reason });
    this.text(ms, `${channel} <-- ${nick} was kicked by ${by} (${stripControls(reason)})`);
  }

  quit(ms: number, nick: string, reason: string): void {
    if (!this.enabled || this.privateOnly) return;
    if (this.format === 'json') return this.json(ms, { type: 'quit', nick, reason });
    this.text(ms, `<-- ${nick} quit (${stripControls(reason)})`);
  }

  nick(ms: number, from: string, to: string): void {
    if (!this.enabled || this.privateOnly) return;
    if (this.format === 'json') return this.json(ms, { type: 'nick', from, to });
    this.text(ms, `${from} is now known as ${to}`);
  }

  mode(ms: number, channel: string, nick: string, modes: readonly string[]): void {
    if (!this.enabled || this.privateOnly) return;
    if (this.format === 'json') return this.json(ms, { type: 'mode', nick, channel, modes });
    this.text(ms, `${channel} ${nick} set mode ${stripControls(modes.join(' '))}`);
  }

  rename(ms: number, from: string, to: string, nick: string, reason: string): void {
    if (!this.enabled || this.privateOnly) return;
    if (this.format === 'json') return this.json(ms, { type: 'rename', nick, from, to, reason });
    const why = reason ? ` (${stripControls(reason)})` : '';
    this.text(ms, `${from} was renamed ${to} by ${nick}${why}`);
  }

  topic(ms: number, channel: string, nick: string, topic: string): void {
    if (!this.enabled || this.privateOnly) return;
    if (this.format === 'json') return this.json(ms, { type: 'topic', nick, channel, topic });
    this.text(ms, `${channel} ${nick} set the topic: ${stripControls(topic)}`);
  }

  /** Write whatever is pending now (shutdown). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending === null || this.pendingBytes === 0) return;
    const written = this.pending;
    const chunk = written.subarray(0, this.pendingBytes);
    this.pending = null;
    this.pendingBytes = 0;
    this.sink.write(chunk, () => {
      if (this.spare === null || this.spare.length < written.length) this.spare = written;
    });
  }

  private text(ms: number, line: string): void {
    this.emit(this.clock.text(ms) + ' ' + line);
  }

  private json(ms: number, fields: object): void {
    this.emit(JSON.stringify({ time: new Date(ms).toISOString(), ...fields }));
  }

  /** Whether the relay takes lines; a relay that has closed is let go. */
  private relayOpen(): boolean {
    if (this.relay === null) return false;
    if (this.relay.open) return true;
    this.relay = null;
    return false;
  }

  /** One line (without its line break) to the relay, or to the sink's pending buffer. */
  private emit(line: string): void {
    if (this.relayOpen()) this.relay!.line(line);
    else this.append(line + '\n');
  }

  private append(s: string): void {
    // Three bytes per UTF-16 unit is the most UTF-8 can need, so the write below never truncates.
    const pending = this.reserve(s.length * 3);
    this.pendingBytes += pending.write(s, this.pendingBytes);
  }

  /** The pending buffer with at least `most` free bytes at pendingBytes; schedules its write. */
  private reserve(most: number): Buffer {
    const need = this.pendingBytes + most;
    if (this.pending === null || need > this.pending.length) {
      while (this.chunkSize < need) this.chunkSize *= 2;
      const spare = this.spare;
      const reuse = this.pending === null && spare !== null && spare.length >= this.chunkSize;
      const next = reuse ? spare : Buffer.allocUnsafe(this.chunkSize);
      if (reuse) this.spare = null;
      else if (this.pending !== null) this.pending.copy(next, 0, 0, this.pendingBytes);
      this.pending = next;
    }
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    return this.pending;
  }

  /** `HH:MM:SS ` (with its space) as bytes. */
  private clockBytes(ms: number): Buffer {
    const text = this.clock.text(ms);
    if (text !== this.clockText) {
      this.clockText = text;
      this.clockTextBytes = Buffer.from(text + ' ');
    }
    return this.clockTextBytes;
  }
}
