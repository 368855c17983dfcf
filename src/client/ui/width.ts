// Terminal cell width of text, for laying out the prompt and status line (via string-width).
import stringWidth from 'string-width';

/**
 * Cells `text` takes in a terminal: East Asian wide and fullwidth characters and emoji (including
 * ZWJ sequences and flags) count 2, combining marks and zero-width characters 0, ANSI escape
 * sequences (our SGR codes) 0. Ambiguous-width characters count 1, as most terminals draw them.
 */
export function displayWidth(text: string): number {
  return stringWidth(text);
}
