// What a Connection is given and what it tells its owner: its limits, its events, its clock.
import type { Connection } from './connection.js';

export interface ConnectionLimits {
  /** Bytes of output that may wait for a slow reader before it is disconnected ("SendQ exceeded"). */
  sendq: number;
  /** Milliseconds a reader with output in flight may go without taking any before it is cut. */
  sendqTimeout: number;
  /** Bytes of unprocessed input (queued lines plus an unfinished line) before "Excess Flood". */
  recvq: number;
  /** Flood control: lines accepted at once, then `floodRate` per second; null turns it off. */
  flood: { burst: number; rate: number } | null;
}

/** What a Connection tells its owner (of type O: the server's Client). */
export interface ConnectionEvents<O> {
  /** A complete line within the limits; `utf8` is false when its bytes were not valid UTF-8. */
  line(conn: Connection<O>, line: string, utf8: boolean): void;
  /**
   * Offered first, undecoded, a line without tags that flood control lets through: buf[start, end),
   * valid only during the call. True means it was handled; false hands it on to `line`.
   */
  rawLine?(conn: Connection<O>, buf: Buffer, start: number, end: number): boolean;
  /** A complete line over 512 bytes (or 4094 bytes of tags): reply 417 and carry on. */
  lineTooLong(conn: Connection<O>): void;
  /** The connection is gone; called exactly once. */
  closed(conn: Connection<O>, reason: string): void;
}

export type Clock = () => number;
