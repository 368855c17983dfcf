// Fuzzing the full-screen client's drawing: random remote text (controls, escapes, IRC formatting, CJK, emoji, combining marks, RTL) through format, windows, wrap and the screen, at random sizes, run on a checking terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LineInfo } from '../../src/client/app.js';
import { graphemeBoundaries } from '../../src/client/ui/editor.js';
import { formatEvent } from '../../src/client/ui/format.js';
import { clean, sanitize } from '../../src/client/ui/ircformat.js';
import { displayWidth } from '../../src/client/ui/width.js';
import { wrapLine } from '../../src/client/ui/wrap.js';
import { formatStatus, promptFor } from '../../src/client/ui/screen.js';
import { WindowSurface } from '../../src/client/ui/windowed.js';
import { b, channel, nick, op, text } from '../helpers/client-fuzz.js';
import { StubController } from '../helpers/stub-controller.js';
import { Terminal } from '../helpers/vt.js';

/** SGR parameters a frame may hold: without colour only the renderer's reset and reverse video. */
const sgrFor = (color: boolean) => (p: string) =>
  color ? /^[0-9;]*$/.test(p) : p === '0' || p === '7' || p === '';

test('fuzz: remote text never reaches the terminal raw, every row fits, and a frame drawn by difference shows what a full redraw shows', async (t) => {
  const seen = { frames: 0, lines: 0, narrow: 0, scrolled: 0 };
  fc.assert(
    fc.property(
      b, // colour
      b, // nick list
      fc.array(channel, { minLength: 3, maxLength: 3 }),
      fc.array(fc.record({ nick, prefix: fc.constantFrom('', '@', '+', '@+') }), { maxLength: 30 }),
      fc.record({
        columns: fc.integer({ min: 1, max: 150 }),
        rows: fc.integer({ min: 1, max: 50 }),
      }),
      fc.array(op, { minLength: 5, maxLength: 50, size: 'medium' }),
      (color, nicklist, names, members, size, ops) => {
        let vt = new Terminal(size.columns, size.rows, sgrFor(color));
        const term = { columns: size.columns, rows: size.rows, write: (s: string) => vt.write(s) };
        const surface = new WindowSurface(term, () => {}, { color, nicklist });
        const stub = new StubController(names, 'me', members);
        const c = stub.controller();
        let input = { text: '', cursor: 0 };
        const render = (what: string) => {
          const st = stub.status();
          const frame = {
            status: formatStatus(st, { color, nowhere: surface.nowhere }),
            prompt: promptFor(st.current, term.columns),
            ...input,
          };
          surface.render(frame, c);
          assert.deepEqual(vt.problems, [], `${what}: ${vt.columns}x${vt.rows}`);
          // The same frame drawn whole (as after Ctrl-L) shows the same screen.
          const shown = vt.screen();
          surface.resized();
          surface.render(frame, c);
          assert.deepEqual(vt.problems, [], `${what}, redrawn`);
          assert.deepEqual(vt.screen(), shown, `${what}: drawn by difference != drawn whole`);
          seen.frames++;
          if (term.columns < 40) seen.narrow++;
        };
        surface.start();
        for (const [k, o] of ops.entries()) {
          const what = `op ${k} ${JSON.stringify(o)}`;
          switch (o.t) {
            case 'line': {
              const line = formatEvent(o.event, {
                color,
                me: 'me',
                current: stub.status().current,
                now: 1_700_000_500_000,
              });
              if (line === null) continue;
              assert.ok(
                !/[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(line),
                `${what}: a control in ${JSON.stringify(line)}`,
              );
              assert.equal(
                line.replace(/\x1b\[[0-9;]*m/g, '').includes('\x1b'),
                false,
                `${what}: ESC in ${JSON.stringify(line)}`,
              );
              if (!color) assert.ok(!line.includes('\x1b'), `${what}: SGR without colour`);
              const info: LineInfo = {
                windows: [o.window],
                time: 'time' in o.event ? o.event.time : 1_700_000_500_000,
                placed: o.placed,
                unread: o.unread,
                history: o.event.type === 'message' && o.event.history === true,
                read: null,
              };
              surface.print(line, info);
              seen.lines++;
              break;
            }
            case 'size':
              vt = new Terminal(o.columns, o.rows, sgrFor(color));
              term.columns = o.columns;
              term.rows = o.rows;
              surface.resized();
              break;
            case 'key':
              surface.key({ name: o.name }, c);
              if (o.name === 'pageup') seen.scrolled++;
              break;
            case 'find':
              surface.command({ kind: 'find', text: o.text }, c);
              break;
            case 'nicklist':
              surface.command({ kind: 'nicklist' }, c);
              break;
            case 'show':
              stub.current = o.window;
              break;
            case 'input': {
              const clean = o.text.replace(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, '');
              input = { text: clean, cursor: Math.min(o.cursor, clean.length) };
              break;
            }
          }
          render(what);
        }
      },
    ),
    {
      numRuns: Number(process.env.PARLEY_FUZZ_RUNS ?? 20),
      seed: Number(process.env.PARLEY_FUZZ_SEED ?? 20261218),
      includeErrorInReport: true,
    },
  );
  t.diagnostic(`reached: ${JSON.stringify(seen)}`);
  assert.ok(seen.frames > 0 && seen.lines > 0 && seen.narrow > 0, 'not vacuous');
});

test('fuzz: sanitised text holds no control, the same letters with colour or without; wrapped rows fit and lose nothing', () => {
  const sgr = /\x1b\[[0-9;]*m/g;
  fc.assert(
    fc.property(text, fc.integer({ min: 2, max: 100 }), fc.nat(12), (s, width, indent) => {
      const plain = sanitize(s, false);
      const colored = sanitize(s, true);
      assert.ok(
        !/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(plain),
        JSON.stringify(plain),
      );
      assert.ok(
        !/[\x00-\x1a\x1c-\x1f\x7f-\x9f]/.test(colored.replace(sgr, '')),
        JSON.stringify(colored),
      );
      assert.equal(colored.replace(sgr, ''), plain, 'colour changes no letter');
      assert.ok(!/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(clean(s)));
      const rows = wrapLine(colored, width, indent);
      for (const r of rows) {
        // Only a grapheme wider than the row on its own may pass it (string-width counts some as 3).
        const alone = graphemeBoundaries(r.replace(sgr, '').trimStart()).length === 2;
        assert.ok(displayWidth(r) <= width || alone, `${JSON.stringify(r)} in ${width}`);
      }
      const letters = (x: string) => x.replace(sgr, '').replace(/ /g, '');
      assert.equal(rows.map(letters).join(''), letters(colored), 'no letter lost or doubled');
    }),
    {
      numRuns: Number(process.env.PARLEY_FUZZ_RUNS ?? 300),
      seed: Number(process.env.PARLEY_FUZZ_SEED ?? 20261219),
      includeErrorInReport: true,
    },
  );
});
