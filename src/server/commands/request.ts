// One command being handled: the incoming message, who sent it, and the buffer its replies go into (wrapped per labeled-response when asked).
//
// Handlers never touch sockets. Replies to the sender go through a Request; without a `label` tag
// they are queued on the connection at once, with one they are collected and sent on finish() as
// a lone labeled line, an ACK, or a `labeled-response` BATCH.
import { serializeBody, type Message, type Tags } from '../../protocol/index.js';
import { CAPBIT } from '../capabilities.js';
import { continueWith, highWater } from '../flow.js';
import type { ServerEvent } from '../event.js';
import type { Server } from '../server.js';
import type { Client } from '../client.js';
import type { User } from '../user.js';

interface Item {
  tags: string;
  body: string;
}

let batchCounter = 0;

export class Request {
  private items: Item[] | null;
  /** Answers from the store still awaited (waitFor): finish() waits for them too. */
  private waiting = 0;

  constructor(
    readonly server: Server,
    readonly client: Client,
    readonly msg: Message,
  ) {
    const label = msg.tags?.get('label');
    this.label = label !== undefined && client.has(CAPBIT.LABELED_RESPONSE) ? label : null;
    this.items = this.label === null ? null : [];
  }

  readonly label: string | null;

  get params(): string[] {
    return this.msg.params;
  }

  /** The registered user; the command table only runs registered-only handlers for one. */
  get user(): User {
    const u = this.client.user;
    if (u === null) throw new Error('handler needs a registered user');
    return u;
  }

  /**
   * The tags to relay with what this line says: its `+` (client-only) tags, and `bot` from a bot;
   * null for none. (Their size was checked when the line was framed: connection.ts answers 417
   * past MAX_CLIENT_TAGS_BYTES.)
   */
  clientTags(): Tags | null {
    let out: Tags | null = this.client.user?.isBot === true ? new Map([['bot', '']]) : null;
    const tags = this.msg.tags;
    if (tags === null) return out;
    for (const [k, v] of tags) {
      if (k.charCodeAt(0) !== 0x2b /* + */) continue;
      out ??= new Map();
      out.set(k, v);
    }
    return out;
  }

  get now(): number {
    // A command replayed from another node (replica.ts) runs at the time it was given there.
    return this.server.stamper.pinnedMs ?? this.server.clock();
  }

  /** `:server CODE target params...` to the sender. */
  numeric(code: string, ...params: string[]): void {
    this.line(this.server.config.name, code, [this.client.target, ...params]);
  }

  /** A line to the sender with an explicit source (null: none). */
  line(source: string | null, command: string, params: readonly string[]): void {
    this.push('', serializeBody(source, command, params));
  }

  /** A whole line (tags optional, CR LF included) to the sender, made elsewhere (history replay). */
  raw(line: string): void {
    if (this.items === null) {
      this.client.conn.send(Buffer.from(line));
      return;
    }
    const body = line.endsWith('\r\n') ? line.slice(0, -2) : line;
    if (body[0] !== '@') return (this.items.push({ tags: '', body }), undefined);
    const space = body.indexOf(' ');
    this.items.push({ tags: body.slice(1, space), body: body.slice(space + 1) });
  }

  /** IRCv3 standard reply: FAIL/WARN/NOTE <command> <code> [context...] :description. */
  standard(kind: 'FAIL' | 'WARN' | 'NOTE', code: string, ...rest: string[]): void {
    this.line(this.server.config.name, kind, [this.msg.command, code, ...rest]);
  }

  /** A stamped event that also concerns the sender (their JOIN, echo-message...). */
  event(out: ServerEvent): void {
    const caps = this.client.caps;
    if (this.items === null) this.client.conn.send(out.bufferFor(caps));
    else this.items.push({ tags: out.tagsFor(caps), body: out.bodyText(caps) });
  }

  /**
   * An event of the sender's own doing (their JOIN, PART, NICK...): to this connection as event()
   * does, and to the user's other connections (--multiclient), which did not ask but must follow.
   */
  own(out: ServerEvent): void {
    this.event(out);
    const user = this.client.user;
    if (user !== null && user.others !== null) {
      this.server.network.deliver.toOtherSessions(user, this.client, out, 0);
    }
  }

  /**
   * A reply that may be too long to queue at once (NAMES, WHO, LIST of many): `next` queues a line
   * or a few and returns true when it has finished. It runs while the client's output is below the
   * high-water mark, and again each time the client has read it down (flow.ts); meanwhile the
   * client's later commands wait, so their replies still come after. A labeled reply is collected
   * whole, to be sent as one batch.
   */
  longReply(next: () => boolean): void {
    if (this.items !== null) {
      while (!next());
      return;
    }
    const conn = this.client.conn;
    if (conn.isGone()) return; // nobody to answer (gone, or a cluster replica: mirror.ts)
    const high = highWater(conn.sendqBytes());
    const more = (): boolean => {
      while (conn.pending() < high) if (next() || conn.isGone()) return true;
      return false;
    };
    if (!more()) continueWith(conn, more);
  }

  /**
   * Answer from the store: `then` runs with what `promise` gives (or `late` runs, if it fails or
   * takes longer than `timeoutMs`), and meanwhile this client's later commands wait, so every
   * reply keeps its order. `then` may return a step function for a long answer, which runs like
   * longReply's. A labeled reply is sent once the answer is complete. Nothing else waits: other
   * clients' lines and every delivery go on.
   */
  waitFor<T>(
    promise: Promise<T>,
    then: (value: T) => (() => boolean) | void,
    late: (why: string) => void,
    timeoutMs = 10_000,
  ): void {
    const conn = this.client.conn;
    if (this.client.user?.remote != null) {
      // A cluster replica (mirror.ts) has no lines to hold: the answer runs when it comes.
      promise.then(
        (value) => {
          const step = then(value);
          if (typeof step === 'function') while (!step());
        },
        (err: unknown) => late(String(err)),
      );
      return;
    }
    this.waiting++;
    let answer: (() => (() => boolean) | void) | null = null;
    let step: (() => boolean) | null = null;
    const settle = (fn: () => (() => boolean) | void): void => {
      if (answer !== null) return;
      clearTimeout(timer);
      answer = fn;
      conn.resume();
    };
    const timer = setTimeout(() => settle(() => late('timed out')), timeoutMs);
    promise.then(
      (value) => settle(() => then(value)),
      (err: unknown) => settle(() => late(err instanceof Error ? err.message : String(err))),
    );
    const high = highWater(conn.sendqBytes());
    continueWith(conn, () => {
      if (answer === null) return false;
      if (step === null) {
        const got = answer();
        if (typeof got !== 'function') return this.done();
        step = got;
      }
      if (this.items !== null) {
        while (!step());
        return this.done();
      }
      while (conn.pending() < high) if (step() || conn.isGone()) return this.done();
      return false;
    });
  }

  /** Keep the answer open (a labeled reply unsent) until release(): a cluster command in flight. */
  hold(): void {
    this.waiting++;
  }

  release(): void {
    this.done();
  }

  private done(): true {
    if (--this.waiting === 0) this.finish();
    return true;
  }

  /**
   * Take the label to answer it later (the end of a multiline batch): no ACK now, and any reply
   * to this command goes out unlabeled. Null when the command had none.
   */
  deferLabel(): string | null {
    this.items = null;
    return this.label;
  }

  /** Send what was collected for a labeled command (unless an answer from the store is awaited). */
  finish(): void {
    if (this.items === null || this.waiting > 0) return;
    const label = 'label=' + escapeLabel(this.label!);
    const name = this.server.config.name;
    const items = this.items;
    let text: string;
    if (items.length === 0) {
      text = `@${label} :${name} ACK\r\n`;
    } else if (items.length === 1 || !this.client.has(CAPBIT.BATCH)) {
      const it = items[0];
      text = `@${label}${it.tags ? ';' + it.tags : ''} ${it.body}\r\n`;
      for (let k = 1; k < items.length; k++) text += lineOf(items[k]);
    } else {
      const id = 'L' + (++batchCounter).toString(36);
      text = `@${label} :${name} BATCH +${id} labeled-response\r\n`;
      for (const it of items) {
        // A line of a batch nested inside (a chathistory batch) keeps only its own batch tag.
        const tags = it.tags.startsWith('batch=')
          ? it.tags
          : `batch=${id}${it.tags ? ';' + it.tags : ''}`;
        text += `@${tags} ${it.body}\r\n`;
      }
      text += `:${name} BATCH -${id}\r\n`;
    }
    this.client.conn.send(Buffer.from(text));
    this.items = null; // answered: anything later goes out unlabeled, and nothing twice
  }

  private push(tags: string, body: string): void {
    if (this.items === null) this.client.conn.send(Buffer.from(body + '\r\n'));
    else this.items.push({ tags, body });
  }
}

function lineOf(it: Item): string {
  return (it.tags ? '@' + it.tags + ' ' : '') + it.body + '\r\n';
}

function escapeLabel(label: string): string {
  return label.replace(/[\\; \r\n]/g, (c) =>
    c === ';' ? '\\:' : c === ' ' ? '\\s' : c === '\\' ? '\\\\' : c === '\r' ? '\\r' : '\\n',
  );
}
