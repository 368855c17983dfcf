// Users by a hash of their nick's bytes: the private-message fast path (direct.ts) finds its recipient without making a string.
import type { User } from './user.js';

/** Slots at first (a power of two): a hit needs the user's nick to be exactly the bytes looked
 * up, so a collision only costs a miss. 4096 references are 32 KiB. */
const FIRST_SLOT_BITS = 12;
/** At most 65,536 slots (512 KiB): half-full at 32,768 users, more than one process accepts. */
const MAX_SLOT_BITS = 16;

/**
 * FNV-1a of buf[s, e), mixed (murmur3's finalizer) and cut to `bits` bits: a slot number (exported
 * for the tests, which make collisions). FNV alone leaves its high bits poorly spread over nicks
 * that differ in their last bytes: 500 nicks u0..u499 shared slots with others half the time.
 */
export function slotOf(buf: Buffer, s: number, e: number, bits = FIRST_SLOT_BITS): number {
  let h = 0x811c9dc5;
  for (let k = s; k < e; k++) h = Math.imul(h ^ buf[k], 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> (32 - bits);
}

/** Whether `user`'s nick is exactly the bytes buf[s, e). */
function holds(user: User, buf: Buffer, s: number, e: number): boolean {
  const nick = user.wireNick();
  if (nick.length !== e - s) return false;
  for (let k = 0; k < nick.length; k++) if (nick[k] !== buf[s + k]) return false;
  return true;
}

export class NickSlots {
  private bits = FIRST_SLOT_BITS;
  private slots: (User | null)[] = new Array<User | null>(1 << FIRST_SLOT_BITS).fill(null);

  /** The user last stored whose nick is exactly buf[s, e) (its nick now), or undefined. */
  get(buf: Buffer, s: number, e: number): User | undefined {
    const user = this.slots[slotOf(buf, s, e, this.bits)];
    return user !== null && holds(user, buf, s, e) ? user : undefined;
  }

  /**
   * Remember `user` for buf[s, e) when that is exactly its nick, so forget() finds it; other
   * spellings are not kept. True when kept. With more than half as many users on the network
   * (`population`) as there are slots, the slots first grow to twice the population (a power of
   * two) and refill as messages find users: at a fixed size a big network's users would take
   * turns in every slot and mostly miss.
   */
  set(buf: Buffer, s: number, e: number, user: User, population = 0): boolean {
    if (!holds(user, buf, s, e)) return false;
    if (2 * population > this.slots.length && this.bits < MAX_SLOT_BITS) {
      // The bits of 2 * population - 1: the smallest power of two at least 2 * population.
      this.bits = Math.min(MAX_SLOT_BITS, 32 - Math.clz32(2 * population - 1));
      this.slots = new Array<User | null>(1 << this.bits).fill(null);
    }
    this.slots[slotOf(buf, s, e, this.bits)] = user;
    return true;
  }

  /** How many slots there are now (tests watch them grow). */
  get size(): number {
    return this.slots.length;
  }

  /**
   * Let go of `user`, who leaves the network, from the slot of its nick now. One kept under a
   * nick it has since changed stays until its slot is reused (never found: that is not its nick
   * any more), so the slots hold at most one such user each.
   */
  forget(user: User): void {
    const nick = user.wireNick();
    const slot = slotOf(nick, 0, nick.length, this.bits);
    if (this.slots[slot] === user) this.slots[slot] = null;
  }
}
