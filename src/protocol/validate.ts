// Nickname and channel-name validity, shared by the server (to refuse) and the client (to warn early).

/** Characters allowed in a nickname besides letters and digits (RFC 2812 "special") and '-'. */
const NICK_SPECIAL = '[]\\`_^{|}';

function isLetter(ch: number): boolean {
  return (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a);
}

function isDigit(ch: number): boolean {
  return ch >= 0x30 && ch <= 0x39;
}

/** RFC 2812 §2.3.1: nickname = ( letter / special ) *( letter / digit / special / "-" ). */
export function isValidNick(nick: string, maxLen: number): boolean {
  if (nick.length === 0 || nick.length > maxLen) return false;
  for (let k = 0; k < nick.length; k++) {
    const ch = nick.charCodeAt(k);
    const ok =
      isLetter(ch) ||
      NICK_SPECIAL.indexOf(nick[k]) !== -1 ||
      (k > 0 && (isDigit(ch) || ch === 0x2d));
    if (!ok) return false;
  }
  return true;
}

/** Channel prefixes a parley server accepts (CHANTYPES). */
export const CHANTYPES = '#';

export function isChannelName(name: string, chantypes: string = CHANTYPES): boolean {
  return name.length > 0 && chantypes.indexOf(name[0]) !== -1;
}

/**
 * RFC 2812 §1.3: a prefix then any octets except NUL, BELL, CR, LF, space, comma and colon;
 * parley also refuses every other control character.
 * `maxLen` counts the prefix (CHANNELLEN). UTF-8 letters are fine.
 */
export function isValidChannel(name: string, maxLen: number, chantypes: string = CHANTYPES) {
  if (name.length < 2 || name.length > maxLen || !isChannelName(name, chantypes)) return false;
  for (let k = 1; k < name.length; k++) {
    const ch = name.charCodeAt(k);
    // Controls are refused too (C1 included), so a channel name can never drive a terminal.
    if (ch <= 0x20 || ch === 0x2c || ch === 0x3a || (ch >= 0x7f && ch <= 0x9f)) return false;
  }
  return true;
}
