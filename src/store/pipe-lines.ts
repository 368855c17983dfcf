// The history pipe's line format (pipe.ts writes it, writer.ts reads it): tab-separated fields, escaped only when they hold a separator.
//
// `A` lines are any record: msgid, time, conversation, target, source, account, command, tags,
// text. `P` lines are the private-message fast path's: msgid, time, the sender's history id,
// source and account, the recipient's history id and nick, text (the writer makes the
// conversation key); their text is the rest of the line, never escaped. Other lines are JSON
// (writes and queries, see writer.ts).
import type { HistoryRecord, Party } from './types.js';

const NEEDS_ESCAPE = /[\t\n\r\\]/;

/** `\` `\t` `\n` `\r` for backslash, tab, LF and CR, so a field holds no separator. */
export function escapeField(text: string): string {
  return text.replace(/[\t\n\r\\]/g, (c) =>
    c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\\\',
  );
}

/** A field as it crosses the pipe: escaped only when it holds a separator. */
export function field(text: string): string {
  return NEEDS_ESCAPE.test(text) ? escapeField(text) : text;
}

/**
 * A record's line up to its text: `A`, then msgid, time, conversation, target, source, account,
 * command and tags, each followed by a tab. One string, written into the buffer in one go (a
 * native write per field cost more than the concatenation); no JSON.
 */
export function head(r: Omit<HistoryRecord, 'text'>): string {
  return (
    'A\t' +
    r.msgid +
    '\t' +
    r.time +
    '\t' +
    field(r.conversation) +
    '\t' +
    field(r.target) +
    '\t' +
    field(r.source) +
    '\t' +
    (r.account === null ? '' : field(r.account)) +
    '\t' +
    r.command +
    '\t' +
    field(r.tags) +
    '\t'
  );
}

/** A private message's sender in a `P` line: history id, source and account, each tab-ended. */
export function encodeFrom(p: Party): Buffer {
  const account = p.account === null ? '' : field(p.account);
  return Buffer.from(`${field(p.historyId)}\t${field(p.prefix)}\t${account}\t`);
}

/** Its recipient: history id and nick (the record's target), each tab-ended. */
export function encodeTo(p: Party): Buffer {
  return Buffer.from(`${field(p.historyId)}\t${field(p.nick)}\t`);
}

/** The inverse of escapeField. */
export function unescapeField(text: string): string {
  if (text.indexOf('\\') === -1) return text;
  return text.replace(/\\(.)/g, (_, c: string) =>
    c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c,
  );
}
