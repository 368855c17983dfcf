// Loaded into the soak's server with `node --import`: appends the V8 heap's size and external memory to $PARLEY_SOAK_HEAP_FILE once a second, for soak-memory.ts to read.
import fs from 'node:fs';
import v8 from 'node:v8';

const file = process.env.PARLEY_SOAK_HEAP_FILE;
if (file !== undefined && file !== '') {
  const fd = fs.openSync(file, 'a');
  // "epoch-ms heap-used heap-total external" in bytes (external: memory of Buffers and other
  // objects V8 points to but does not hold); unref'd, so it never keeps the server up.
  setInterval(() => {
    const h = v8.getHeapStatistics();
    const external = h.external_memory;
    fs.writeSync(fd, `${Date.now()} ${h.used_heap_size} ${h.total_heap_size} ${external}\n`);
  }, 1000).unref();
}
