// What listings may show whom: NAMES, LIST, WHO, WHOIS and TOPIC, where a secret (+s) channel and an invisible (+i) user hide from those outside.
//
// RFC 2811 §4.2.6: a secret channel is not shown to those outside it (LIST, NAMES, WHOIS, TOPIC);
// RFC 2812 §3.1.5/§3.2.5: an invisible user is left out of NAMES and WHO for those who share no
// channel with it. Only these numerics are compared, as sorted lines (model-driver.ts writes the
// server's the same way).
import type { World } from './model.js';
import type { Chan, Expect, Person } from './model-types.js';

export type ProbeKind = 'NAMES' | 'LIST' | 'WHO' | 'WHO*' | 'WHOIS' | 'TOPIC';

/** The numerics a probe's answer is compared on. */
export const LISTED = new Set(['353', '322', '352', '319', '332', '331']);

const sees = (ch: Chan, p: Person) => ch.members.has(p) || !ch.flags.has('s');

/** Members of `ch` that `p` is shown: all from inside, the visible ones from outside. */
const shown = (ch: Chan, p: Person) =>
  [...ch.members.keys()].filter((m) => ch.members.has(p) || !m.invisible);

const word = (ch: Chan, m: Person, name: string) => {
  const st = ch.members.get(m)!;
  return (st.op ? '@' : st.voice ? '+' : '') + name;
};

/** The line `p` sends for a probe, and what it must be answered. */
export function probe(
  w: World,
  p: Person,
  kind: ProbeKind,
  chan: string,
  nick: string,
): { line: string; e: Expect } {
  const e: Expect = { lines: new Map(), numerics: [], listing: [] };
  const listing = e.listing!;
  const ch = w.chans.get(chan);
  let line = `${kind} ${chan}`;
  if (kind === 'NAMES' && ch !== undefined && sees(ch, p)) {
    const names = shown(ch, p).map((m) => word(ch, m, m.nick));
    if (names.length > 0) listing.push(`353 ${chan} ${names.sort().join(' ')}`);
  }
  if (kind === 'WHO' && ch !== undefined && sees(ch, p)) {
    for (const m of shown(ch, p)) listing.push(`352 ${chan} ${m.nick}`);
  }
  if (kind === 'WHO*') {
    line = 'WHO *';
    const shares = (q: Person) =>
      [...w.chans.values()].some((c) => c.members.has(p) && c.members.has(q));
    for (const q of w.people)
      if (q === p || !q.invisible || shares(q)) listing.push(`352 * ${q.nick}`);
  }
  if (kind === 'LIST') {
    line = 'LIST';
    for (const c of w.chans.values())
      if (sees(c, p)) listing.push(`322 ${c.name} ${c.members.size}`);
  }
  if (kind === 'TOPIC') {
    if (ch === undefined) e.numerics.push(`403 ${chan}`);
    else if (!sees(ch, p)) e.numerics.push(`442 ${chan}`);
    else listing.push(ch.topic === '' ? `331 ${chan}` : `332 ${chan} ${ch.topic}`);
  }
  if (kind === 'WHOIS') {
    line = `WHOIS ${nick}`;
    const target = w.byNick(nick);
    if (target === undefined) e.numerics.push(`401 ${nick}`);
    else {
      const words = [...w.chans.values()]
        .filter((c) => c.members.has(target) && sees(c, p))
        .map((c) => word(c, target, c.name));
      if (words.length > 0) listing.push(`319 ${target.nick} ${words.sort().join(' ')}`);
      if (target.away !== null) e.numerics.push(`301 ${target.nick}`);
    }
  }
  listing.sort();
  return { line, e };
}

/** A listing numeric as the model writes it (params[0] is the asker's nick). */
export function listed(command: string, params: string[]): string {
  const sorted = (words: string) =>
    words
      .split(' ')
      .filter((x) => x !== '')
      .sort()
      .join(' ');
  switch (command) {
    case '353':
      return `353 ${params[2]} ${sorted(params[3])}`;
    case '319':
      return `319 ${params[1]} ${sorted(params[2])}`;
    case '322':
      return `322 ${params[1]} ${params[2]}`;
    case '352':
      return `352 ${params[1]} ${params[5]}`;
    case '331':
      return `331 ${params[1]}`;
    default:
      return `${command} ${params.slice(1).join(' ')}`;
  }
}
