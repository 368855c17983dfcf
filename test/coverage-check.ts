// `npm test`'s last step: line coverage per layer from c8's summary (coverage/coverage-summary.json), failing below each floor.
//
// The floors are the (src/protocol and src/server at 90% of lines or more); the other
// layers are printed for the record. src/server counts its subfolders (commands/).
import fs from 'node:fs';
import path from 'node:path';

type Counts = { total: number; covered: number };
type Summary = Record<string, { lines: Counts; branches: Counts }>;

const FLOORS: Record<string, number> = { 'src/protocol': 90, 'src/server': 90 };
const LAYERS = ['src/protocol', 'src/server', 'src/store', 'src/cluster', 'src/client', 'src/cli'];

const file = path.resolve('coverage/coverage-summary.json');
if (!fs.existsSync(file)) {
  console.error(`coverage: ${file} is missing; run the tests under c8 first (npm test does)`);
  process.exit(2);
}
const summary = JSON.parse(fs.readFileSync(file, 'utf8')) as Summary;
const root = process.cwd() + path.sep;
let failed = false;
console.log('coverage (lines, branches) per layer:');
for (const layer of LAYERS) {
  const sum = { lines: { total: 0, covered: 0 }, branches: { total: 0, covered: 0 } };
  for (const [name, s] of Object.entries(summary)) {
    if (!name.startsWith(root + layer + '/')) continue;
    for (const k of ['lines', 'branches'] as const) {
      sum[k].total += s[k].total;
      sum[k].covered += s[k].covered;
    }
  }
  const pct = (c: Counts) => (c.total === 0 ? 100 : (100 * c.covered) / c.total);
  const floor = FLOORS[layer];
  const low = floor !== undefined && pct(sum.lines) < floor;
  failed ||= low;
  const note =
    floor === undefined ? '' : low ? `  BELOW the ${floor}% floor` : `  (floor ${floor}%)`;
  console.log(
    `  ${layer.padEnd(13)} ${pct(sum.lines).toFixed(1).padStart(5)}% of ${sum.lines.total} lines, ` +
      `${pct(sum.branches).toFixed(1).padStart(5)}% of ${sum.branches.total} branches${note}`,
  );
}
if (failed) {
  console.error(
    'coverage: a layer is below its floor; see coverage/ (npx c8 report --reporter=text)',
  );
  process.exit(1);
}
