// Users by a hash of their nick's bytes: the private-message fast path (direct.ts) finds its recipient without making a string.
import type { User } from './user.js';

/** Slots (a power of two): a hit needs the user's nick to be exactly the bytes looked up, so a
 * collision only costs a miss. 4096 references are 32 KiB. */
const SLOT_BITS = 12;
const SLOTS = 1 << SLOT_BITS;

/** FNV-1a of buf[s, e), as a slot number (exported for the tests, which make collisions). */
export function slotOf(buf: Buffer, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let k = s; k < e; k++) h = Math.imul(h ^ buf[k], 0x01000193);
  return h >>> (32 - SLOT_BITS); // the high bits: they depend on every byte, the low ones on few
}

/** Whether `user`'s nick is exactly the bytes buf[s, e). */
function holds(user: User, buf: Buffer, s: number, e: number): boolean {
  const nick = user.wireNick();
  if (nick.length !== e - s) return false;
  for (let k = 0; k < nick.length; k++) if (nick[k] !== buf[s + k]) return false;
  return true;
}

export class NickSlots {
  private readonly slots: (User | null)[] = new Array<User | null>(SLOTS).fill(null);

  /** The user last stored whose nick is exactly buf[s, e) (its nick now), or undefined. */
  get(buf: Buffer, s: number, e: number): User | undefined {
    const user = this.slots[slotOf(buf, s, e)];
    return user !== null && holds(user, buf, s, e) ? user : undefined;
  }

  /**
   * Remember `user` for buf[s, e) when that is exactly its nick, so forget() finds it; other
   * spellings are not kept. True when kept.
   */
  set(buf: Buffer, s: number, e: number, user: User): boolean {
    if (!holds(user, buf, s, e)) return false;
    this.slots[slotOf(buf, s, e)] = user;
    return true;
  }

  /**
   * Let go of `user`, who leaves the network, from the slot of its nick now. One kept under a
   * nick it has since changed stays until its slot is reused (never found: that is not its nick
   * any more), so the slots hold at most 4096 such users at a time.
   */
  forget(user: User): void {
    const nick = user.wireNick();
    const slot = slotOf(nick, 0, nick.length);
    if (this.slots[slot] === user) this.slots[slot] = null;
  }
}
