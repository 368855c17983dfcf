// The console log of exchanged messages the seed asks for: who said what to whom, in receipt order.
//
// Lines are encoded into one Buffer and written with one call per 10 ms (FLUSH_MS) to an
// asynchronous sink, so a slow terminal never stalls delivery. Remote text is stripped of control
// characters so no user can drive the operator's terminal.
import { stripControls } from '../protocol/index.js';
import { copyBytes } from '../protocol/bytes.js';
import type { User } from './user.js';

/**
 * Takes each chunk until it calls `done` (when it does): then the chat log may fill the chunk's
 * memory again. A sink that never calls it gets a fresh Buffer every time.
 */
export interface Sink {
  write(chunk: Buffer, done?: () => void): unknown;
}

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
  private clockSecond = -1;
  private clockText = '';
  private clockTextBytes = Buffer.alloc(0);

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
    const t = stripControls(text);
    const line =
      kind === 'action'
        ? `${channel} * ${nick} ${t}`
        : kind === 'notice'
          ? `${channel} -${nick}- ${t}`
          : kind === 'ctcp'
            ? `${channel} ${nick} sent CTCP ${t}`
            : `${channel} <${nick}> ${t}`;
    this.text(ms, line);
  }

  /** A PRIVMSG/NOTICE to one or more nicks. */
  privateMessage(ms: number, from: string, to: readonly string[], text: string, kind: MessageKind) {
    if (!this.enabled) return;
    const shown = this.logPrivate ? text : null;
    if (this.format === 'json') return this.json(ms, { type: kind, from, to, text: shown });
    const body = shown === null ? '[private]' : stripControls(shown);
    const line =
      kind === 'action'
        ? `${from} -> ${to.join(',')}: * ${from} ${body}`
        : kind === 'notice'
          ? `${from} -> ${to.join(',')}: -notice- ${body}`
          : kind === 'ctcp'
            ? `${from} -> ${to.join(',')}: CTCP ${body}`
            : `${from} -> ${to.join(',')}: ${body}`;
    this.text(ms, line);
  }

  /**
   * A PRIVMSG from `from` to `to` whose text is src[start, end), UTF-8 with nothing to strip,
   * copied as bytes: the fast path (direct.ts) never decodes it. The nicks come as bytes too.
   */
  privateBytes(ms: number, from: User, to: User, src: Buffer, start: number, end: number) {
    if (!this.enabled) return;
    if (this.format === 'json' || !this.logPrivate) {
      const text = src.toString('utf8', start, end);
      return this.privateMessage(ms, from.nick, [to.nick], text, 'privmsg');
    }
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
    this.append(this.clock(ms) + ' ' + line + '\n');
  }

  private json(ms: number, fields: object): void {
    this.append(JSON.stringify({ time: new Date(ms).toISOString(), ...fields }) + '\n');
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

  /** Local HH:MM:SS, computed once per second. */
  private clock(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.clockSecond) {
      const d = new Date(ms);
      this.clockSecond = second;
      this.clockText = [d.getHours(), d.getMinutes(), d.getSeconds()]
        .map((n) => String(n).padStart(2, '0'))
        .join(':');
      this.clockTextBytes = Buffer.from(this.clockText + ' ');
    }
    return this.clockText;
  }

  /** `HH:MM:SS ` (with its space) as bytes. */
  private clockBytes(ms: number): Buffer {
    this.clock(ms);
    return this.clockTextBytes;
  }
}

/** `ctcp`: a CTCP request or reply other than ACTION (VERSION, PING...), shown as such. */
export type MessageKind = 'privmsg' | 'notice' | 'action' | 'ctcp';
