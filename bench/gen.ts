// Load-generator process entry: runs one scenario against one server and prints its result as JSON.
// Usage: node dist/bench/gen.js '{"scenario": {...}, "env": {...}}'
import { fileURLToPath } from 'node:url';
import { runScenario, type GenEnv } from './flows.js';
import { resultToJson, type Scenario } from './scenarios.js';

export interface GenRequest {
  scenario: Scenario;
  env: GenEnv;
}

export const GEN_SCRIPT = fileURLToPath(import.meta.url);

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '') as GenRequest;
  const result = await runScenario(req.scenario, req.env);
  process.stdout.write(resultToJson(result) + '\n');
  // Sockets were reset; nothing else keeps the process, but don't wait for stragglers.
  setTimeout(() => process.exit(0), 100).unref();
}

if (process.argv[1] === GEN_SCRIPT) {
  main().catch((err: unknown) => {
    process.stderr.write(
      `load generator failed: ${err instanceof Error ? err.stack : String(err)}\n`,
    );
    process.exit(1);
  });
}
