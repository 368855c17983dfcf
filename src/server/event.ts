// A stamped event (PRIVMSG, JOIN, QUIT...) serialized once per capability variant and shared by every recipient.
import { escapeTagValue, serializeBody, serializeTags, type Tags } from '../protocol/index.js';
import { CAPBIT } from './capabilities.js';
import type { Stamp } from './stamp.js';

export class ServerEvent {
  private body: string | null = null;
  private plain: Buffer | null = null;
  private timed: Buffer | null = null;
  private tagged: Buffer | null = null;

  constructor(
    readonly source: string,
    readonly command: string,
    readonly params: string[],
    readonly stamp: Stamp,
    /** Client-only (`+`) tags to relay to message-tags clients, or null. */
    readonly clientTags: Tags | null = null,
  ) {}

  bodyText(): string {
    return (this.body ??= serializeBody(this.source, this.command, this.params));
  }

  /** The tag section (without `@`) a client with `caps` should see; '' for none. */
  tagsFor(caps: number): string {
    return stampTags(this.stamp, caps, this.clientTags);
  }

  /** The complete line for a client with `caps`, built at most once per variant. */
  bufferFor(caps: number): Buffer {
    if ((caps & CAPBIT.MESSAGE_TAGS) !== 0) return (this.tagged ??= this.build(caps));
    if ((caps & CAPBIT.SERVER_TIME) !== 0) return (this.timed ??= this.build(caps));
    return (this.plain ??= this.build(caps));
  }

  /** The complete line (CR LF included) as text, for a single recipient (Connection.sendText). */
  textFor(caps: number): string {
    const tags = this.tagsFor(caps);
    const body = this.bodyText();
    return tags.length === 0 ? body + '\r\n' : '@' + tags + ' ' + body + '\r\n';
  }

  private build(caps: number): Buffer {
    return Buffer.from(this.textFor(caps));
  }
}

/**
 * The tag section (without `@`) of a line stamped `stamp` for a client with `caps`; '' for none.
 * `msgid` false leaves the msgid out (the later lines of a multiline message shown one by one).
 */
export function stampTags(
  stamp: Stamp,
  caps: number,
  clientTags: Tags | null,
  msgid = true,
): string {
  if ((caps & CAPBIT.MESSAGE_TAGS) !== 0) {
    let t = 'time=' + stamp.time + (msgid ? ';msgid=' + stamp.msgid : '');
    if (clientTags !== null) t += ';' + serializeTags(clientTags);
    return t;
  }
  if ((caps & CAPBIT.SERVER_TIME) !== 0) return 'time=' + escapeTagValue(stamp.time);
  return '';
}
