// Copying short byte runs cheaply: the fast path's lines and the history pipe's records are assembled from a few small pieces.

/**
 * Copy src[start, end) into dst at `at`; returns where the copy ends. Measured on Node 20: a loop
 * costs ~1.45 ns a byte, TypedArray#set ~17 ns for a whole Buffer but ~55 ns for part of one (the
 * view it needs, as Buffer#copy, is an allocation). So: set for a whole Buffer over 16 bytes,
 * Buffer#copy for part of one over 40 (a chat line's text, usually), the loop for anything else.
 */
export function copyBytes(dst: Buffer, at: number, src: Buffer, start = 0, end = src.length) {
  const n = end - start;
  if (n > 16 && start === 0 && end === src.length) {
    dst.set(src, at);
    return at + n;
  }
  if (n > 40) {
    src.copy(dst, at, start, end);
    return at + n;
  }
  for (let k = start; k < end; k++) dst[at++] = src[k];
  return at;
}
