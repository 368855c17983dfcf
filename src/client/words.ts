// Lexing typed input: splitting off a word, and whether a name is a plausible nick, channel or target list. Pure.

import { isValidChannel } from '../protocol/validate.js';
import { stripControls } from '../protocol/sanitize.js';

export const LEADING_SPACE = /^\s+/;

/** Split off the first whitespace-separated word; the rest has its leading whitespace removed. */
export function splitWord(s: string): [string, string] {
  const k = s.search(/\s/);
  if (k < 0) return [s, ''];
  return [s.slice(0, k), s.slice(k).replace(LEADING_SPACE, '')];
}

export function isChannel(name: string, chantypes: string): boolean {
  return name.length > 0 && chantypes.includes(name[0]);
}

/**
 * A plausible nick, loosely: servers differ (UTF-8 nicks, longer NICKLEN), so this refuses only
 * what no server accepts: a leading digit or '-', and anywhere whitespace, ',', ':', '!', '@',
 * '*', '?', '.' or a control (RFC 2812 §2.3.1 keeps all of them out of nicknames).
 */
export function isPlausibleNick(name: string, chantypes: string): boolean {
  if (name.length === 0 || isChannel(name, chantypes)) return false;
  if (/^[0-9-]/.test(name)) return false;
  return !/[\s,:!@*?.\u0000-\u001f\u007f-\u009f]/.test(name);
}

export function isPlausibleChannel(name: string, chantypes: string): boolean {
  return isValidChannel(name, Number.POSITIVE_INFINITY, chantypes);
}

/** Check a comma-separated target list (nicks and channels); returns an error message or null. */
export function checkTargets(list: string, chantypes: string): string | null {
  for (const piece of list.split(',')) {
    const ok = isChannel(piece, chantypes)
      ? isPlausibleChannel(piece, chantypes)
      : isPlausibleNick(piece, chantypes);
    if (!ok) return `Not a nick or channel: "${stripControls(piece)}"`;
  }
  return null;
}
