// Hostmask wildcards (`*` any run, `?` one character) for bans, compared case-insensitively.
import { fold, type CaseMapping } from './casemap.js';

/** Does `subject` (e.g. `nick!user@host`) match `mask`? Both are folded with `mapping`. */
export function matchMask(mask: string, subject: string, mapping?: CaseMapping): boolean {
  const m = fold(mask, mapping);
  const s = fold(subject, mapping);
  // Iterative glob with single-star backtracking: linear in practice, no regex built from input.
  let mi = 0;
  let si = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (mi < m.length && (m[mi] === '?' || m[mi] === s[si])) {
      mi++;
      si++;
    } else if (mi < m.length && m[mi] === '*') {
      star = mi++;
      mark = si;
    } else if (star !== -1) {
      mi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (mi < m.length && m[mi] === '*') mi++;
  return mi === m.length;
}

/** Complete a partial ban mask the way servers do: `bob` -> `bob!*@*`, `*@host` -> `*!*@host`. */
export function normalizeMask(mask: string): string {
  const bang = mask.indexOf('!');
  const at = mask.indexOf('@');
  if (bang === -1 && at === -1) return `${mask}!*@*`;
  if (bang === -1) return `*!${mask}`;
  if (at === -1) return `${mask}@*`;
  return mask;
}
