// Polling for news that travels asynchronously (between cluster nodes, through Redis): until true, or fail naming what was awaited.
import assert from 'node:assert/strict';

/** Poll `fn` every 50 ms until it is true; fail with `what` after `ms`. */
export async function eventually(
  fn: () => boolean | Promise<boolean>,
  what: string,
  ms = 8000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
