// IRC line grammar: parse one line into tags/source/command/params and serialize back (IRCv3 message-tags escaping).
//
//   message = ["@" tags SPACE] [":" source SPACE] command [params] (CR LF stripped by the framer)
//
// The parser is pure and never throws: it returns a Message or a named error kind,
// and the caller decides the policy (ignore, reply with a numeric, disconnect).

export type Tags = Map<string, string>;

export interface Message {
  /** IRCv3 tags, unescaped; null when the line had none. Keys keep their `+` client prefix. */
  tags: Tags | null;
  /** The `:source` prefix without the colon; null when absent. */
  source: string | null;
  /** Upper-cased command word or three-digit numeric. */
  command: string;
  params: string[];
}

export type ParseErrorKind =
  | 'EMPTY' // nothing but spaces
  | 'NO_COMMAND' // tags or source with no command after them
  | 'BAD_COMMAND' // command is neither letters nor three digits
  | 'BAD_TAGS' // tag section that is empty or has an empty key
  | 'NUL'; // NUL byte somewhere in the line (CR and LF never reach the parser)

export interface ParseError {
  error: ParseErrorKind;
  /** The line's tags when they parsed (so a reply to a bad command can still carry its label). */
  tags?: Tags | null;
}

export type ParseResult = Message | ParseError;

export function isParseError(r: ParseResult): r is ParseError {
  return (r as ParseError).error !== undefined;
}

const SPACE = 0x20;

function skipSpaces(line: string, i: number): number {
  while (i < line.length && line.charCodeAt(i) === SPACE) i++;
  return i;
}

/** Parse one line (without its CR LF). Never throws. */
export function parse(line: string): ParseResult {
  if (line.indexOf('\0') !== -1) return { error: 'NUL' };
  let i = skipSpaces(line, 0);
  if (i >= line.length) return { error: 'EMPTY' };

  let tags: Tags | null = null;
  if (line.charCodeAt(i) === 0x40 /* @ */) {
    let end = line.indexOf(' ', i);
    if (end === -1) end = line.length;
    const parsed = parseTags(line.slice(i + 1, end));
    if (parsed === null) return { error: 'BAD_TAGS' };
    tags = parsed;
    i = skipSpaces(line, end);
  }

  let source: string | null = null;
  if (i < line.length && line.charCodeAt(i) === 0x3a /* : */) {
    let end = line.indexOf(' ', i);
    if (end === -1) end = line.length;
    source = line.slice(i + 1, end);
    i = skipSpaces(line, end);
  }
  if (i >= line.length) return { error: 'NO_COMMAND', tags };

  let end = line.indexOf(' ', i);
  if (end === -1) end = line.length;
  const word = line.slice(i, end);
  // Check before upper-casing: toUpperCase maps some non-ASCII letters to ASCII (ß -> SS, ı -> I).
  if (!isCommandWord(word)) return { error: 'BAD_COMMAND', tags };
  const command = word.toUpperCase();
  i = skipSpaces(line, end);

  const params: string[] = [];
  while (i < line.length) {
    if (line.charCodeAt(i) === 0x3a /* : */) {
      params.push(line.slice(i + 1));
      break;
    }
    let pend = line.indexOf(' ', i);
    if (pend === -1) pend = line.length;
    params.push(line.slice(i, pend));
    i = skipSpaces(line, pend);
  }
  return { tags, source, command, params };
}

function isCommandWord(c: string): boolean {
  if (c.length === 0) return false;
  const first = c.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) {
    return c.length === 3 && isDigit(c.charCodeAt(1)) && isDigit(c.charCodeAt(2));
  }
  for (let k = 0; k < c.length; k++) {
    const ch = c.charCodeAt(k);
    if (!((ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a))) return false; // A-Z a-z
  }
  return true;
}

function isDigit(ch: number): boolean {
  return ch >= 0x30 && ch <= 0x39;
}

/** Parse the text between `@` and the first space. Returns null when malformed. */
export function parseTags(raw: string): Tags | null {
  if (raw.length === 0) return null;
  const tags: Tags = new Map();
  for (const part of raw.split(';')) {
    if (part.length === 0) continue; // tolerate `a=1;;b=2` and a trailing `;`
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    if (key.length === 0) return null;
    const value = eq === -1 ? '' : unescapeTagValue(part.slice(eq + 1));
    tags.set(key, value); // the spec says the last of duplicated keys wins
  }
  return tags.size === 0 ? null : tags; // `@;` has no tag at all: as malformed as a bare `@`
}

// message-tags: `\:` -> `;`, `\s` -> space, `\\` -> `\`, `\r` -> CR, `\n` -> LF,
// any other escaped char stands for itself, and a lone trailing `\` is dropped.
export function unescapeTagValue(v: string): string {
  if (v.indexOf('\\') === -1) return v;
  let out = '';
  for (let k = 0; k < v.length; k++) {
    const ch = v[k];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    k++;
    if (k >= v.length) break;
    const e = v[k];
    out += e === ':' ? ';' : e === 's' ? ' ' : e === 'r' ? '\r' : e === 'n' ? '\n' : e;
  }
  return out;
}

const ESCAPE_NEEDED = /[;\s\\]/;

export function escapeTagValue(v: string): string {
  if (!ESCAPE_NEEDED.test(v)) return v;
  let out = '';
  for (const ch of v) {
    out +=
      ch === ';'
        ? '\\:'
        : ch === ' '
          ? '\\s'
          : ch === '\\'
            ? '\\\\'
            : ch === '\r'
              ? '\\r'
              : ch === '\n'
                ? '\\n'
                : ch;
  }
  return out;
}

/** Serialize tags without the leading `@` (empty string when there are none). */
export function serializeTags(tags: Tags | null): string {
  if (tags === null || tags.size === 0) return '';
  let out = '';
  for (const [k, v] of tags) {
    if (out.length > 0) out += ';';
    out += v === '' ? k : k + '=' + escapeTagValue(v);
  }
  return out;
}

/**
 * Serialize the part after the tags: `[:source ]COMMAND params`, without CR LF.
 * The last parameter gets a `:` when it is empty, has a space or starts with `:`.
 */
export function serializeBody(source: string | null, command: string, params: readonly string[]) {
  let out = source === null ? command : ':' + source + ' ' + command;
  const last = params.length - 1;
  for (let k = 0; k < last; k++) out += ' ' + params[k];
  if (last >= 0) {
    const p = params[last];
    out += p.length === 0 || p.charCodeAt(0) === 0x3a || p.indexOf(' ') !== -1 ? ' :' + p : ' ' + p;
  }
  return out;
}

/** Serialize a whole message without CR LF. */
export function serialize(msg: Message): string {
  const body = serializeBody(msg.source, msg.command, msg.params);
  const tags = serializeTags(msg.tags);
  return tags.length === 0 ? body : '@' + tags + ' ' + body;
}
