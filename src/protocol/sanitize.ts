// Making remote text safe for a terminal: no ESC, C0 or C1 control characters survive.

// C0 controls (including ESC, BEL, CR, LF, TAB), DEL and C1 controls (U+0080..U+009F), plus the
// bidi overrides that could reorder what a reader sees.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Remove every control character (IRC formatting codes included) from `text`. */
export function stripControls(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(CONTROLS, '') : text;
}
