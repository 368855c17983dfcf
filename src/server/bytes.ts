// Copying short byte runs without a native call: the fast path's lines are assembled from a few pieces.

/**
 * Copy src[start, end) into dst at `at`; returns where the copy ends. For the tens of bytes of a
 * nick or a line, a loop beats Buffer#copy, which allocates a view per call.
 */
export function copyBytes(dst: Buffer, at: number, src: Buffer, start = 0, end = src.length) {
  for (let k = start; k < end; k++) dst[at++] = src[k];
  return at;
}
