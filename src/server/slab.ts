// Scratch regions for one event-loop turn's output: a line meant for one connection is encoded straight into bytes here, without a Buffer of its own.
//
// Regions are cut by bumping an offset through a few reusable slabs. Every flush copies a
// connection's region bytes into the Buffer it writes, so nothing outlives the turn's flush pass,
// which then rewinds all slabs (resetRegions) for the next turn.

const SLAB_BYTES = 256 * 1024;
/** Regions are at least this large, so a connection's lines of one turn usually share one. */
const MIN_REGION = 1024;
/** Slabs kept for reuse; a turn that needs more allocates them and lets the extra ones go. */
const KEEP_SLABS = 8;

const slabs: Buffer[] = [Buffer.allocUnsafeSlow(SLAB_BYTES)];
let current = 0;
let used = 0;

/** A region of at least `bytes` bytes (contents undefined), valid until resetRegions(). */
export function region(bytes: number): Buffer {
  const size = Math.max(MIN_REGION, (bytes + 7) & ~7);
  if (size > SLAB_BYTES >>> 2) return Buffer.allocUnsafe(size);
  if (used + size > SLAB_BYTES) {
    current++;
    if (current === slabs.length) slabs.push(Buffer.allocUnsafeSlow(SLAB_BYTES));
    used = 0;
  }
  const r = slabs[current].subarray(used, used + size);
  used += size;
  return r;
}

/** Every region handed out so far has been copied or dropped: start over. */
export function resetRegions(): void {
  if (slabs.length > KEEP_SLABS) slabs.length = KEEP_SLABS;
  current = 0;
  used = 0;
}
