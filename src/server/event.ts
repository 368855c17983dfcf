// A stamped event (PRIVMSG, JOIN, QUIT...) serialized once per capability variant and shared by every recipient.
import { escapeTagValue, serializeBody, serializeTags, type Tags } from '../protocol/index.js';
import { CAPBIT } from './capabilities.js';
import type { Stamp } from './stamp.js';

export class ServerEvent {
  private body: string | null = null;
  private extendedBody: string | null = null;
  /**
   * One line per variant, built on first use: [plain, server-time, message-tags], then the same
   * three with the account tag, then all six again with the extended-join parameters.
   */
  private readonly built: Array<Buffer | undefined> = [];
  /** The sender's account (account-tag), set by Server.userEvent; null: none or not logged in. */
  account: string | null = null;
  /** The parameters extended-join clients see instead (`#chan account :realname`), or null. */
  extendedParams: string[] | null = null;

  constructor(
    readonly source: string,
    readonly command: string,
    readonly params: string[],
    readonly stamp: Stamp,
    /** Client-only (`+`) tags to relay to message-tags clients, or null. */
    readonly clientTags: Tags | null = null,
  ) {}

  /** The line without tags for a client with `caps` (extended-join changes JOIN's parameters). */
  bodyText(caps = 0): string {
    if (this.extendedParams !== null && (caps & CAPBIT.EXTENDED_JOIN) !== 0) {
      return (this.extendedBody ??= serializeBody(this.source, this.command, this.extendedParams));
    }
    return (this.body ??= serializeBody(this.source, this.command, this.params));
  }

  /** The tag section (without `@`) a client with `caps` should see; '' for none. */
  tagsFor(caps: number): string {
    const t = stampTags(this.stamp, caps, this.clientTags);
    if (this.account === null || (caps & CAPBIT.ACCOUNT_TAG) === 0) return t;
    const a = 'account=' + escapeTagValue(this.account);
    return t.length === 0 ? a : t + ';' + a;
  }

  /** The complete line for a client with `caps`, built at most once per variant. */
  bufferFor(caps: number): Buffer {
    let v = (caps & CAPBIT.MESSAGE_TAGS) !== 0 ? 2 : (caps & CAPBIT.SERVER_TIME) !== 0 ? 1 : 0;
    if (this.account !== null && (caps & CAPBIT.ACCOUNT_TAG) !== 0) v += 3;
    if (this.extendedParams !== null && (caps & CAPBIT.EXTENDED_JOIN) !== 0) v += 6;
    return (this.built[v] ??= Buffer.from(this.textFor(caps)));
  }

  /** The complete line (CR LF included) as text, for a single recipient (Connection.sendText). */
  textFor(caps: number): string {
    const tags = this.tagsFor(caps);
    const body = this.bodyText(caps);
    return tags.length === 0 ? body + '\r\n' : '@' + tags + ' ' + body + '\r\n';
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
