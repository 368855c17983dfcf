// The model behind the CHATHISTORY fuzzer: a fixed conversation script, random queries, and what the draft/chathistory contract says each should answer.
import fc from 'fast-check';

/** P: #pub (the asker's channel), D: alice and bob, X: #priv (carol alone), G: #gone (left), Y: bob and carol. */
export type Conv = 'P' | 'D' | 'X' | 'G' | 'Y';

/** One message of the script: who sends it where, and how far the server's clock moves first. */
export interface Said {
  conv: Conv;
  from: 'alice' | 'bob' | 'carol';
  to: string;
  verb: 'PRIVMSG' | 'NOTICE';
  advance: number;
  text: string;
}

/** A stored message as one server stamped it. */
export interface Rec extends Said {
  msgid: string;
  time: number;
}

const ORDER: Conv[] = ['P', 'D', 'X', 'P', 'G', 'Y', 'D', 'P'];
const SENDERS: Record<Conv, Array<[Said['from'], string]>> = {
  P: [
    ['alice', '#pub'],
    ['bob', '#pub'],
  ],
  D: [
    ['alice', 'bob'],
    ['bob', 'alice'],
  ],
  X: [['carol', '#priv']],
  G: [
    ['alice', '#gone'],
    ['carol', '#gone'],
  ],
  Y: [
    ['bob', 'carol'],
    ['carol', 'bob'],
  ],
};

/**
 * The script every server gets: 90 messages, #pub's more than the history limit, some at the same
 * millisecond as the one before (every fifth repeats the conversation with no clock move).
 */
export function script(): Said[] {
  const out: Said[] = [];
  for (let k = 0; k < 90; k++) {
    const conv = k % 5 === 4 ? out[k - 1].conv : ORDER[k % ORDER.length];
    const senders = SENDERS[conv];
    const [from, to] = senders[k % senders.length];
    const advance = k % 5 === 4 ? 0 : [1, 3, 0, 7][k % 4];
    const verb = k % 7 === 3 ? 'NOTICE' : 'PRIVMSG';
    out.push({ conv, from, to, verb, advance, text: `${conv}-${k}` });
  }
  return out;
}

/** Where a query starts or ends, before a server's msgids and times are put in. */
export type BoundSpec =
  | { k: 'star' }
  /** The time of the ref-th message of the whole script, moved by delta ms. */
  | { k: 'time'; ref: number; delta: number }
  /** The msgid of the ref-th message of the whole script (perhaps of another conversation). */
  | { k: 'msgid'; ref: number }
  | { k: 'raw'; text: string };

export interface Query {
  sub: string;
  target: string;
  a: BoundSpec;
  b: BoundSpec;
  limit: string;
  /** Parameters left off the end (too few), or one more added (ignored). */
  drop: number;
  extra: boolean;
}

const RAW_BOUNDS = [
  'timestamp=1970-01-01T00:00:00.000Z',
  'timestamp=2999-01-01T00:00:00Z',
  'timestamp=2020-02-30T00:00:00.000Z',
  'timestamp=2020-01-01T24:00:00.000Z',
  'timestamp=2020-13-01T00:00:00Z',
  'timestamp=yesterday',
  'timestamp=',
  'timestamp=2020-01-01T00:00:00.000',
  'msgid=',
  'msgid=nonexistent',
  'junk',
  '*',
];

const bound: fc.Arbitrary<BoundSpec> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ k: 'star' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('time' as const),
      ref: fc.nat(89),
      delta: fc.constantFrom(-1, 0, 0, 1),
    }),
  },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('msgid' as const), ref: fc.nat(89) }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('raw' as const), text: fc.constantFrom(...RAW_BOUNDS) }),
  },
);

export const query: fc.Arbitrary<Query> = fc.record({
  sub: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('LATEST', 'BEFORE', 'AFTER', 'AROUND', 'BETWEEN') },
    { weight: 3, arbitrary: fc.constant('TARGETS') },
    { weight: 1, arbitrary: fc.constantFrom('latest', 'Between') },
    { weight: 1, arbitrary: fc.constantFrom('FOO', '') },
  ),
  target: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('#pub', '#PUB', 'bob', 'BOB') },
    {
      weight: 2,
      arbitrary: fc.constantFrom('#priv', '#gone', 'carol', 'nobody', '*', '#none', 'alice'),
    },
  ),
  a: bound,
  b: bound,
  limit: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('1', '3', '7', '20', '20', '05') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('0', '-1', '21', 'abc', '999999999', '1000000000', '+5', '1e3'),
    },
  ),
  drop: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(3) }),
  extra: fc.boolean(),
});

const iso = (ms: number) => new Date(ms).toISOString();

function renderBound(b: BoundSpec, recs: readonly Rec[]): string {
  switch (b.k) {
    case 'star':
      return '*';
    case 'time':
      return `timestamp=${iso(recs[b.ref].time + b.delta)}`;
    case 'msgid':
      return `msgid=${recs[b.ref].msgid}`;
    case 'raw':
      return b.text;
  }
}

/** The query's parameters after CHATHISTORY, for a server whose messages are `recs`. */
export function params(q: Query, recs: readonly Rec[]): string[] {
  if (q.sub === '') return [];
  const p =
    q.sub.toUpperCase() === 'TARGETS'
      ? [q.sub, renderBound(q.a, recs), renderBound(q.b, recs), q.limit]
      : q.sub.toUpperCase() === 'BETWEEN'
        ? [q.sub, q.target, renderBound(q.a, recs), renderBound(q.b, recs), q.limit]
        : [q.sub, q.target, renderBound(q.a, recs), q.limit];
  const kept = p.slice(0, Math.max(0, p.length - q.drop));
  if (q.extra && q.drop === 0) kept.push('extra');
  return kept;
}

/** What a query must get: a FAIL with one of these codes, the texts of a batch, or TARGETS rows. */
export type Expected =
  { fail: string[] } | { texts: string[] } | { targets: Array<{ name: string; time: string }> };

const SUBCOMMANDS = new Set(['LATEST', 'BEFORE', 'AFTER', 'AROUND', 'BETWEEN', 'TARGETS']);

/** What alice may read under each target: a conversation, none at all (empty), or nothing (refused). */
const READS: Record<string, Conv | 'empty' | 'refused'> = {
  '#pub': 'P',
  '#PUB': 'P',
  bob: 'D',
  BOB: 'D',
  '#priv': 'refused',
  '#gone': 'refused',
  '#none': 'refused',
  '*': 'refused',
  carol: 'empty',
  nobody: 'empty',
  alice: 'empty',
};

/** The conversations alice has TARGETS rows for, and the name each is listed under. */
const LISTED: Array<[Conv, string]> = [
  ['P', '#pub'],
  ['D', 'bob'],
];

/** A bound resolved in one conversation: a time, a position in it, a msgid it does not hold, `*`, or invalid (null). */
type Resolved = { time: number } | { pos: number } | 'unknown' | 'star' | null;

/** RFC 3339 as server-time writes it: a real calendar date and time, milliseconds optional. */
function timestamp(text: string): number | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(text);
  if (m === null) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === m[1] ? ms : null;
}

function resolve(b: BoundSpec, recs: readonly Rec[], list: readonly Rec[]): Resolved {
  if (b.k === 'star') return 'star';
  if (b.k === 'time') return { time: recs[b.ref].time + b.delta };
  if (b.k === 'msgid') {
    const pos = list.indexOf(recs[b.ref]);
    return pos < 0 ? 'unknown' : { pos };
  }
  if (b.text === '*') return 'star';
  if (b.text.startsWith('msgid=')) return b.text.length > 6 ? 'unknown' : null;
  if (!b.text.startsWith('timestamp=')) return null;
  const time = timestamp(b.text.slice(10));
  return time === null ? null : { time };
}

const timeOf = (r: Resolved): number | null =>
  r !== null && typeof r === 'object' && 'time' in r ? r.time : null;

/** Index of the first message after `b` (-1: a msgid not here). */
function indexAfter(list: readonly Rec[], b: Resolved): number {
  if (b === 'unknown' || b === null || b === 'star') return -1;
  if ('pos' in b) return b.pos + 1;
  const at = list.findIndex((r) => r.time > b.time);
  return at < 0 ? list.length : at;
}

/** Index one past the last message before `b` (-1: a msgid not here). */
function indexBefore(list: readonly Rec[], b: Resolved): number {
  if (b === 'unknown' || b === null || b === 'star') return -1;
  if ('pos' in b) return b.pos;
  const at = list.findIndex((r) => r.time >= b.time);
  return at < 0 ? list.length : at;
}

/** The slice of `list` each subcommand answers (the store contract in src/store/types.ts). */
function slice(sub: string, list: readonly Rec[], a: Resolved, b: Resolved, n: number): Rec[] {
  switch (sub) {
    case 'LATEST': {
      const from = a === 'star' ? 0 : indexAfter(list, a);
      return from < 0 ? [] : list.slice(Math.max(from, list.length - n));
    }
    case 'BEFORE': {
      const end = indexBefore(list, a);
      return end < 0 ? [] : list.slice(Math.max(0, end - n), end);
    }
    case 'AFTER': {
      const start = indexAfter(list, a);
      return start < 0 ? [] : list.slice(start, start + n);
    }
    case 'AROUND': {
      const mid = indexBefore(list, a);
      if (mid < 0) return [];
      const start = Math.max(0, mid - Math.floor(n / 2));
      return list.slice(start, start + n);
    }
    default: {
      const afterA = indexAfter(list, a);
      const afterB = indexAfter(list, b);
      if (afterA < 0 || afterB < 0) return [];
      if (afterA <= afterB) return list.slice(afterA, Math.min(indexBefore(list, b), afterA + n));
      const end = indexBefore(list, a);
      const start = Math.max(afterB, end - n);
      return start >= end ? [] : list.slice(start, end);
    }
  }
}

/** What alice must get for `q` from a server that stamped the script as `recs`. */
export function expected(q: Query, recs: readonly Rec[], max: number): Expected {
  const p = params(q, recs);
  const sub = q.sub.toUpperCase();
  if (p.length === 0) return { fail: ['NEED_MORE_PARAMS'] };
  if (!SUBCOMMANDS.has(sub)) return { fail: ['INVALID_PARAMS', 'UNKNOWN_COMMAND'] };
  const need = sub === 'BETWEEN' ? 5 : 4;
  if (p.length < need) return { fail: ['NEED_MORE_PARAMS', 'INVALID_PARAMS'] };
  const fail: string[] = [];
  const limit = /^\d+$/.test(p[need - 1]) ? Number(p[need - 1]) : NaN;
  if (!(limit >= 1 && limit <= max)) fail.push('INVALID_PARAMS');
  if (sub === 'TARGETS') {
    const from = timeOf(resolve(q.a, recs, []));
    const to = timeOf(resolve(q.b, recs, []));
    if (from === null || to === null) fail.push('INVALID_PARAMS');
    if (fail.length > 0 || from === null || to === null) return { fail };
    const [lo, hi] = [Math.min(from, to), Math.max(from, to)];
    const rows = LISTED.map(([conv, name]) => ({
      name,
      last: recs.filter((r) => r.conv === conv).at(-1)!,
    }))
      .filter((r) => r.last.time > lo && r.last.time < hi)
      .sort((x, y) => recs.indexOf(x.last) - recs.indexOf(y.last))
      .slice(0, limit);
    return { targets: rows.map((r) => ({ name: r.name, time: iso(r.last.time) })) };
  }
  const reads = READS[q.target];
  if (reads === 'refused') fail.push('INVALID_TARGET');
  const list = reads === 'refused' || reads === 'empty' ? [] : recs.filter((r) => r.conv === reads);
  const a = resolve(q.a, recs, list);
  const b = sub === 'BETWEEN' ? resolve(q.b, recs, list) : 'star';
  if (a === null || (a === 'star' && sub !== 'LATEST')) fail.push('INVALID_PARAMS');
  if (b === null || (b === 'star' && sub === 'BETWEEN')) fail.push('INVALID_PARAMS');
  if (fail.length > 0) return { fail };
  return { texts: slice(sub, list, a, b, limit).map((r) => r.text) };
}
