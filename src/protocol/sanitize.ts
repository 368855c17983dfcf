// Making remote text safe for a terminal: no ESC, C0 or C1 control characters survive.

// C0 controls (including ESC, BEL, CR, LF, TAB), DEL and C1 controls (U+0080..U+009F), plus the
// bidi overrides that could reorder what a reader sees.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Remove every control character (IRC formatting codes included) from `text`. */
export function stripControls(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(CONTROLS, '') : text;
}

/**
 * Whether valid UTF-8 bytes buf[start, end) encode a character stripControls removes beyond ASCII:
 * a C1 control (C2 80..9F) or a bidi override (E2 80 AA..AE, E2 81 A6..A9). Keep it in step with
 * CONTROLS above; the caller has already refused bytes below 0x20 and 0x7F.
 */
export function hasWideControl(buf: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    const b = buf[k];
    if (b === 0xc2 && buf[k + 1] <= 0x9f) return true;
    if (b === 0xe2 && k + 2 < end) {
      const b1 = buf[k + 1];
      const b2 = buf[k + 2];
      if (b1 === 0x80 && b2 >= 0xaa && b2 <= 0xae) return true;
      if (b1 === 0x81 && b2 >= 0xa6 && b2 <= 0xa9) return true;
    }
  }
  return false;
}
