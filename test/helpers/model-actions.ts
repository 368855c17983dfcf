// What a model run is made of: the nick pool, the accounts, channels and client slots, the lines replayed on JOIN, and the abstract actions (Action, Target) that model-run.ts draws and model-driver.ts runs.
import type { Caps } from './model.js';
import type { ProbeKind } from './model-probes.js';

export const POOL = ['ann', 'bob', 'cy', 'dee', 'eve', 'flo'];
/**
 * Accounts registered before a run, password `secret-` + name. Named unlike any nick of the pool, so no
 * nick is reserved, and a message to a nick nobody uses is never an offline account's.
 */
export const ACCOUNTS = ['acca', 'accb'];
/** A connection's login: an index into ACCOUNTS, or -1 for none. */
export type Login = number;
export const CHANS = ['#a', '#b', '#c'];
export const SLOTS = 5;
export const REPLAY = 3;

/** A channel (with a status prefix), a nick of the pool, or an account's name (nobody's nick). */
export type Target = { chan: string; status: string } | { nick: number } | { account: number };
export type Action =
  | { t: 'connect'; who: number; nick: number; caps: Caps; login: Login }
  | { t: 'quit'; who: number; drop: boolean }
  | { t: 'join'; who: number; chans: string[]; key: 'right' | 'wrong' | 'none' }
  | { t: 'part'; who: number; chan: string }
  | { t: 'kick'; who: number; chan: string; whom: number; asOp: boolean }
  | {
      t: 'mode';
      who: number;
      chan: string;
      plus: boolean;
      mode: string;
      whom: number;
      mask: string;
      asOp: boolean;
    }
  | { t: 'invite'; who: number; chan: string; whom: number; asOp: boolean }
  | { t: 'nick'; who: number; nick: number; upper: boolean }
  | { t: 'umode'; who: number; on: boolean }
  | { t: 'probe'; who: number; kind: ProbeKind; chan: string; whom: number }
  | { t: 'away'; who: number; on: boolean }
  | { t: 'topic'; who: number; chan: string; asOp: boolean }
  | { t: 'msg'; who: number; verb: string; to: Target[] }
  | {
      t: 'history';
      who: number;
      sub: string;
      to: Target;
      bound: number;
      other: number;
      star: boolean;
      limit: number;
    }
  | { t: 'targets'; who: number }
  | { t: 'redact'; who: number; to: Target; pick: number; reason: boolean }
  | { t: 'rename'; who: number; chan: string; to: string; reason: boolean; asOp: boolean }
  | {
      t: 'multi';
      who: number;
      to: Target;
      count: number;
      blank: boolean;
      concat: boolean;
      notice: boolean;
    };
