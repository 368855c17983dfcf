// The history pipe's line format (pipe.ts writes it, writer.ts reads it): tab-separated fields, escaped only when they hold a separator.
//
// `A` lines are any record: msgid, time, conversation, target, source, account, command, tags,
// text. `P` lines are the private-message fast path's, as short as they can be: msgid (`~rest`:
// the previous P line's first 9 bytes, then rest), time (empty: the previous P line's), the
// sender's and the recipient's party numbers, text (the rest of the line, never escaped). A party
// number is defined by a `D` line before its first use: number, history id, nick, source, account;
// a later D line with the same number replaces it. The writer makes the record (the conversation
// key among it). Other lines are JSON (writes and queries, see writer.ts).
//
// Why numbers: while the writer is behind (it shares a core with a saturated server), the pipe's
// backlog waits in the server's memory, and its size costs the server throughput (fresh pages,
// external memory that brings on full collections): P lines with the parties written out were
// ~140 bytes for a 52-byte text and cost 26% of private-message throughput; ~70 bytes cost 15%.
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

/** The `D` line that makes `no` stand for party `p` in later P lines. */
export function partyLine(no: number, p: Party): string {
  const account = p.account === null ? '' : field(p.account);
  return `D\t${no}\t${field(p.historyId)}\t${field(p.nick)}\t${field(p.prefix)}\t${account}\n`;
}

/** The inverse of escapeField. */
export function unescapeField(text: string): string {
  if (text.indexOf('\\') === -1) return text;
  return text.replace(/\\(.)/g, (_, c: string) =>
    c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c,
  );
}
