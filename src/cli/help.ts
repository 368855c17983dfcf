// --help layout shared by the subcommands: option rows in two columns, wrapped to 80 columns.

const WIDTH = 80;

export interface HelpRow {
  /** The option as typed, with its leading spaces: `  -n, --nick NAME`. */
  left: string;
  /** What it does, and its default in brackets; wrapped as needed. */
  text: string;
}

/** Rows with their text starting at `column` (on the next line when `left` is too long). */
export function optionRows(rows: readonly HelpRow[], column: number): string[] {
  const out: string[] = [];
  const indent = ' '.repeat(column);
  for (const { left, text } of rows) {
    const lines = wrap(text, WIDTH - column);
    if (left.length < column) out.push(left.padEnd(column) + lines.shift());
    else out.push(left);
    for (const line of lines) out.push(indent + line);
  }
  return out;
}

/** `text` in lines of at most `width` characters, broken at spaces (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}
