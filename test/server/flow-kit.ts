// Scripted flow peers for flow.ts's unit tests: a hand-moved clock, a send queue of 1 MiB (marks at 64 and 16 KiB), and what each peer was told.
import { congested, Flow, setCurrent, sweep, type FlowPeer } from '../../src/server/flow.js';

export const clock = { t: 1_000_000 };
export const SENDQ = 1 << 20; // marks: HIGH 64 KiB, LOW 16 KiB
export const HIGH = 64 * 1024;
export const LOW = 16 * 1024;

export class Peer implements FlowPeer {
  flow: Flow | null = null;
  out = 0;
  gone = false;
  resumed = 0;
  heldCalls = 0;
  stalledCalls = 0;
  polls = 0;
  constructor(
    readonly name: string,
    private readonly timeoutMs = 30_000,
  ) {}
  pending(): number {
    return this.out;
  }
  sendqBytes(): number {
    return SENDQ;
  }
  sendqTimeout(): number {
    return this.timeoutMs;
  }
  now(): number {
    return clock.t;
  }
  isGone(): boolean {
    return this.gone;
  }
  flowState(): Flow {
    return (this.flow ??= new Flow());
  }
  resume(): void {
    this.resumed++;
  }
  held(): void {
    this.heldCalls++;
  }
  stalled(): void {
    this.stalledCalls++;
  }
  poll(): void {
    this.polls++;
  }
}

const made: Peer[] = [];
export function peer(name: string, timeoutMs?: number): Peer {
  const p = new Peer(name, timeoutMs);
  made.push(p);
  return p;
}

/** `recipient` passes HIGH while `sender`'s line is handled. */
export function overflow(recipient: Peer, sender: Peer | null): void {
  recipient.out = HIGH + 1;
  const was = setCurrent(sender);
  congested(recipient);
  setCurrent(was);
}

/** After each test: every peer leaves the module's watch list, so the next test starts with none. */
export function forgetPeers(): void {
  for (const p of made.splice(0)) p.gone = true;
  sweep();
  setCurrent(null);
}
