// Reads of accepted sockets into one shared buffer: the `onread` option of net.connect, which net.Server does not offer for the sockets it accepts.
//
// A socket reading into its own buffers costs, per read, a 64 KiB allocation trimmed to size, a
// Buffer object and the Readable stream's push/emit path; with a user buffer libuv reads into one
// preallocated Buffer and a callback gets the byte count. Node applies a user buffer only in the
// Socket constructor, so for an accepted socket (created paused, see Listener) the same three
// fields are set here, found by their symbol descriptions on a probe socket. If this Node lays them
// out differently, `readInto` returns false and the caller uses 'data' events.
import net from 'node:net';

/** Called with the byte count; the bytes are in `SHARED_READ_BUFFER[0, n)` only during the call. */
export type ReadCallback = (this: net.Socket, n: number, buf: Buffer) => void;

/** Every accepted socket reads into this buffer; the callback consumes it before the next read. */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

interface Slots {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}

function findSlots(): Slots | null {
  // The constructor reads `onread` (net.connect passes it through) though its type omits it.
  const options = { onread: { buffer: SHARED_READ_BUFFER, callback: () => true } };
  const probe = new net.Socket(options as net.SocketConstructorOpts);
  const bySymbol = new Map<string, symbol>();
  for (const s of Object.getOwnPropertySymbols(probe)) bySymbol.set(s.description ?? '', s);
  probe.destroy();
  const buffer = bySymbol.get('kBuffer');
  const callback = bySymbol.get('kBufferCb');
  const generator = bySymbol.get('kBufferGen');
  if (buffer === undefined || callback === undefined || generator === undefined) return null;
  const slots = probe as unknown as Record<symbol, unknown>;
  if (slots[buffer] !== SHARED_READ_BUFFER || typeof slots[callback] !== 'function') return null;
  return { buffer, callback, generator };
}

let slots: Slots | null | undefined;
let enabled = true;

/** Whether user-buffer reads work on this Node. */
export function readIntoAvailable(): boolean {
  if (slots === undefined) slots = findSlots();
  return slots !== null;
}

/** Turn user-buffer reads off (or back on) for sockets accepted from now on; tests cover both. */
export function setReadInto(on: boolean): void {
  enabled = on;
}

/**
 * Make a paused, freshly accepted socket read into SHARED_READ_BUFFER and call `cb` (with the
 * socket as `this`) instead of emitting 'data'; then start reading. False (nothing changed) when
 * this Node does not support it.
 */
export function readInto(socket: net.Socket, cb: ReadCallback): boolean {
  if (!enabled || !readIntoAvailable()) return false;
  const { buffer, callback, generator } = slots!;
  // A socket without a libuv handle (a WebSocket link, websocket.ts) has no _handle at all.
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: (b: Buffer) => void } | null })
    ._handle;
  if (handle === null || handle === undefined || typeof handle.useUserBuffer !== 'function') {
    return false;
  }
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[buffer] = SHARED_READ_BUFFER;
  fields[generator] = null;
  // Node calls it as stream[kBufferCb](nread, buffer); a false return would stop reading.
  fields[callback] = cb;
  handle.useUserBuffer(SHARED_READ_BUFFER);
  socket.resume();
  return true;
}
