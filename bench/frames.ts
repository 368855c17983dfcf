// `node dist/bench/frames.js`: what the full-screen client's drawing costs — a full 200x60 frame from 2,000-line windows, and the time and bytes of the frame after one incoming line.
import { performance } from 'node:perf_hooks';
import { Buffer as Scrollback, SCROLLBACK_LINES } from '../src/client/ui/buffer.js';
import { bodySize, WindowScreen } from '../src/client/ui/window-screen.js';

const COLUMNS = 200;
const ROWS = 60;
const FRAMES = 300;

/** A coloured chat line like format.ts makes: dim time, coloured nick, text; every 5th wraps. */
function line(k: number): string {
  const text = k % 5 === 0 ? 'a longer line that wraps '.repeat(12) : `message number ${k} 中文 👍`;
  return `\x1b[2m12:00:${String(k % 60).padStart(2, '0')}\x1b[0m <\x1b[38;5;${
    100 + (k % 12)
  }mnick${k % 7}\x1b[0m> ${text}\x1b[0m`;
}

function run(nicklist: boolean): void {
  let bytes = 0;
  const term = {
    columns: COLUMNS,
    rows: ROWS,
    write: (s: string) => (bytes += Buffer.byteLength(s)),
  };
  const screen = new WindowScreen(term);
  const windows = Array.from({ length: 10 }, () => new Scrollback());
  let n = 0;
  for (const w of windows) for (let k = 0; k < SCROLLBACK_LINES; k++) w.add(line(n++), n);
  const size = bodySize(COLUMNS, ROWS, nicklist);
  const nicks = nicklist ? Array.from({ length: 80 }, (_, k) => `@nick${k}`) : null;
  const frame = (w: Scrollback) => {
    screen.render({
      body: w.view(size.width, size.height, 9).rows,
      nicks,
      nickWidth: size.nickWidth,
      status: ' #lobby | carol | connected | [#dev 3] [dave 1*] ',
      prompt: '[#lobby] ',
      text: 'hello wor',
      cursor: 9,
    });
  };
  // Full frames: each a different window after a resize (nothing cached on the terminal side).
  let t0 = performance.now();
  bytes = 0;
  for (let f = 0; f < FRAMES; f++) {
    screen.resized();
    frame(windows[f % windows.length]);
  }
  const full = (performance.now() - t0) / FRAMES;
  const fullBytes = bytes / FRAMES;
  // A resize: another width each frame, so every visible line is wrapped again.
  t0 = performance.now();
  for (let f = 0; f < FRAMES; f++) {
    term.columns = COLUMNS - (f % 2);
    screen.resized();
    frame(windows[0]);
  }
  term.columns = COLUMNS;
  const resize = (performance.now() - t0) / FRAMES;
  // One incoming line in the window on screen, then its frame.
  const w = windows[0];
  frame(w);
  bytes = 0;
  t0 = performance.now();
  for (let f = 0; f < FRAMES; f++) {
    w.add(line(n++), n);
    frame(w);
  }
  const one = (performance.now() - t0) / FRAMES;
  const label = nicklist ? 'with a nick list (no scroll region)' : 'no nick list (scroll region)';
  console.log(
    `${COLUMNS}x${ROWS}, 10 windows x ${SCROLLBACK_LINES} lines, ${label}:\n` +
      `  full frame: ${full.toFixed(2)} ms, ${Math.round(fullBytes)} bytes\n` +
      `  full frame after a resize (every line re-wrapped): ${resize.toFixed(2)} ms\n` +
      `  one incoming line: ${one.toFixed(3)} ms, ${Math.round(bytes / FRAMES)} bytes`,
  );
}

run(false);
run(true);
