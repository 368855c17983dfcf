// ISUPPORT (RPL_ISUPPORT 005): building the token list and splitting it into lines, and reading it back.

/** Token values: `true` for a bare token (`SAFELIST`), a string or number for `KEY=VALUE`. */
export type IsupportTokens = ReadonlyArray<readonly [string, string | number | true]>;

/** At most this many tokens per 005 line, as servers commonly do to stay under 512 bytes. */
const TOKENS_PER_LINE = 13;

export function isupportLines(tokens: IsupportTokens): string[][] {
  const words = tokens.map(([k, v]) => (v === true ? k : `${k}=${escapeIsupportValue(String(v))}`));
  const lines: string[][] = [];
  for (let k = 0; k < words.length; k += TOKENS_PER_LINE) {
    lines.push(words.slice(k, k + TOKENS_PER_LINE));
  }
  return lines;
}

// Modern IRC: values escape space, backslash and '=' as \xHH.
function escapeIsupportValue(v: string): string {
  return v.replace(/[\\ =]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function unescapeIsupportValue(v: string): string {
  return v.replace(/\\x([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** Read the tokens of one 005 reply's middle params into `into` (a `-KEY` removes KEY). */
export function readIsupport(params: readonly string[], into: Map<string, string>): void {
  for (const word of params) {
    if (word.startsWith('-')) {
      into.delete(word.slice(1));
      continue;
    }
    const eq = word.indexOf('=');
    if (eq === -1) into.set(word, '');
    else into.set(word.slice(0, eq), unescapeIsupportValue(word.slice(eq + 1)));
  }
}
