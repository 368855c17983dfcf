// Scratch space for one event-loop turn's output: a line meant for one connection is encoded straight into bytes here, without a Buffer of its own.
//
// Space is claimed by bumping an offset through a few reusable slabs. Every flush writes or copies a
// connection's scratch bytes, so nothing outlives the turn's flush pass, which then rewinds all slabs
// (resetScratch) for the next turn; a slab whose bytes a socket still holds is retired instead.

const SLAB_BYTES = 256 * 1024;
/** Claims are at least this large, so a connection's lines of one turn usually share one. */
const MIN_CLAIM = 1024;
/** Slabs always kept for reuse. A burst keeps what its turns needed while it lasts (fresh slabs cost
 * page faults on first touch: with 500 busy recipients a turn can fill 100 of them); the extra ones
 * go once no turn of a whole TRIM_MS window needed them. */
const KEEP_SLABS = 8;
const TRIM_MS = 5000;

const slabs: Buffer[] = [Buffer.allocUnsafeSlow(SLAB_BYTES)];
let current = 0;
let used = 0;
/** The most slabs one turn used since trimAt - TRIM_MS. */
let peak = 0;
let trimAt = 0;

/**
 * Claim `bytes` bytes (contents undefined): returns where they start in scratchSlab(), which the
 * caller reads right after. Valid until resetScratch(). At least MIN_CLAIM bytes are set aside, so
 * the caller's next claim in the same turn usually lands right after and can simply extend it.
 */
export function claim(bytes: number): number {
  const size = Math.max(MIN_CLAIM, (bytes + 7) & ~7);
  if (used + size > slabs[current].length) {
    current++;
    if (current === slabs.length) slabs.push(Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, size)));
    else if (slabs[current].length < size) slabs[current] = Buffer.allocUnsafeSlow(size);
    used = 0;
  }
  const at = used;
  used += size;
  return at;
}

/** Scratch bytes claimed since the last resetScratch() (about: whole slabs before the current). */
export function scratchClaimed(): number {
  return current * SLAB_BYTES + used;
}

/** The slab the last claim() was cut from. */
export function scratchSlab(): Buffer {
  return slabs[current];
}

/** Where the space set aside by the last claim() ends in scratchSlab(). */
export function claimEnd(): number {
  return used;
}

/** A socket still holds bytes of `slab` (a partial write): never hand out its space again. */
export function retireSlab(slab: Buffer): void {
  const k = slabs.indexOf(slab);
  if (k !== -1) slabs[k] = Buffer.allocUnsafeSlow(slab.length);
}

/** Every claim handed out so far has been copied or dropped: start over. */
export function resetScratch(now = Date.now()): void {
  if (current >= peak) peak = current + 1;
  if (slabs.length > KEEP_SLABS) {
    if (now >= trimAt) {
      if (slabs.length > peak) slabs.length = Math.max(KEEP_SLABS, peak);
      peak = 0;
      trimAt = now + TRIM_MS;
    }
  }
  current = 0;
  used = 0;
}

/** @internal Slabs held now (tests check a burst's slabs are kept, then let go). */
export function slabCount(): number {
  return slabs.length;
}
