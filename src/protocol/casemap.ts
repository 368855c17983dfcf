// Case mapping: folding nicknames and channel names so lookups ignore case (CASEMAPPING token).

export type CaseMapping = 'ascii' | 'rfc1459' | 'strict-rfc1459';

/** The mapping a parley server uses and advertises: plain ASCII, the least surprising one. */
export const SERVER_CASEMAPPING: CaseMapping = 'ascii';

function upperBound(mapping: CaseMapping): number {
  // ascii folds A-Z; rfc1459 also folds []\~ to {}|^; strict-rfc1459 leaves ~/^ apart.
  return mapping === 'ascii' ? 0x5a : mapping === 'rfc1459' ? 0x5e : 0x5d;
}

/** Fold `s` with `mapping`. Returns `s` itself (no allocation) when nothing changes. */
export function fold(s: string, mapping: CaseMapping = SERVER_CASEMAPPING): string {
  const hi = upperBound(mapping);
  let k = 0;
  for (; k < s.length; k++) {
    const ch = s.charCodeAt(k);
    if (ch >= 0x41 && ch <= hi) break;
  }
  if (k === s.length) return s;
  let out = s.slice(0, k);
  for (; k < s.length; k++) {
    const ch = s.charCodeAt(k);
    out += ch >= 0x41 && ch <= hi ? String.fromCharCode(ch + 0x20) : s[k];
  }
  return out;
}

export function parseCaseMapping(token: string | undefined): CaseMapping {
  return token === 'ascii' || token === 'strict-rfc1459' ? token : 'rfc1459';
}
