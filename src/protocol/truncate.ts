// Cutting text to a byte budget (TOPICLEN, AWAYLEN, KICKLEN count octets) without splitting a character.

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, ending on a code point. */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Fast path: every UTF-16 unit is at most 3 bytes, so short strings always fit.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let k = 0;
  while (k < text.length) {
    const code = text.codePointAt(k)!;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    k += code >= 0x10000 ? 2 : 1;
  }
  return text.slice(0, k);
}
