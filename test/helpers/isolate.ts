// Loaded before every test file (npm test's --import): its own data and config folders, so no test touches ~/.local or ~/.config.
//
// `parley serve` keeps its database in $XDG_DATA_HOME/parley and takes an exclusive lock on it;
// two test files starting servers at once would meet on one file. The client's known_hosts lives
// in $XDG_CONFIG_HOME/parley. Child processes inherit both.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-home-'));
process.env.XDG_DATA_HOME = path.join(root, 'data');
process.env.XDG_CONFIG_HOME = path.join(root, 'config');
process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
