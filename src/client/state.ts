// The client's view of the server: ISUPPORT values, and our channels with their members and topics, keyed by folded name.
import { fold, parseCaseMapping, readIsupport, type CaseMapping } from '../protocol/index.js';

/** A channel member: nick as the server spells it, and status symbols held, highest first ('@+'). */
export interface Member {
  readonly nick: string;
  readonly prefix: string;
}

interface MutableMember {
  nick: string;
  prefix: string;
}

interface Channel {
  name: string;
  topic: string;
  members: Map<string, MutableMember>;
}

/** Targets per PRIVMSG when the server advertises neither TARGMAX nor MAXTARGETS (most take a few). */
const DEFAULT_MAX_TARGETS = 4;

export class ClientState {
  readonly isupport = new Map<string, string>();
  casemapping: CaseMapping = 'rfc1459'; // RFC 1459 is the default when CASEMAPPING is absent
  chantypes = '#&';
  /** PREFIX=(modes)symbols: mode letters and their symbols, highest rank first. */
  prefixModes = 'ov';
  prefixSymbols = '@+';
  /** CHANMODES=A,B,C,D: list modes, always-parameter, parameter-when-set, flags. */
  private chanmodes: [string, string, string, string] = ['beI', 'k', 'l', 'imnpst'];
  private readonly chans = new Map<string, Channel>();
  /** NAMES replies (353) being gathered until 366, by folded channel. */
  private readonly pendingNames = new Map<string, { name: string; members: MutableMember[] }>();

  fold(name: string): string {
    return fold(name, this.casemapping);
  }

  same(a: string, b: string): boolean {
    return this.fold(a) === this.fold(b);
  }

  isChannel(name: string): boolean {
    return name.length > 0 && this.chantypes.indexOf(name[0]) !== -1;
  }

  /** Forget everything learned from one connection (ISUPPORT, channels); called before reconnecting. */
  reset(): void {
    this.isupport.clear();
    this.chans.clear();
    this.pendingNames.clear();
    this.applyTokens();
  }

  /** Read one 005 reply (params without our nick and the trailing text). */
  applyIsupport(words: readonly string[]): void {
    readIsupport(words, this.isupport);
    this.applyTokens();
  }

  private applyTokens(): void {
    const before = this.casemapping;
    this.casemapping = parseCaseMapping(this.isupport.get('CASEMAPPING'));
    this.chantypes = this.isupport.get('CHANTYPES') ?? '#&';
    const m = /^\(([^)]*)\)(.*)$/.exec(this.isupport.get('PREFIX') ?? '(ov)@+');
    if (m !== null && m[1].length === m[2].length) {
      this.prefixModes = m[1];
      this.prefixSymbols = m[2];
    }
    const cm = (this.isupport.get('CHANMODES') ?? 'beI,k,l,imnpst').split(',');
    this.chanmodes = [cm[0] ?? '', cm[1] ?? '', cm[2] ?? '', cm[3] ?? ''];
    if (before !== this.casemapping) this.rekey();
  }

  /** The folded keys depend on CASEMAPPING: rebuild them if it changed mid-session. */
  private rekey(): void {
    const all = [...this.chans.values()];
    this.chans.clear();
    for (const ch of all) {
      const members = [...ch.members.values()];
      ch.members.clear();
      for (const m of members) ch.members.set(this.fold(m.nick), m);
      this.chans.set(this.fold(ch.name), ch);
    }
  }

  get network(): string | null {
    const n = this.isupport.get('NETWORK');
    return n === undefined || n === '' ? null : n;
  }

  get nickLen(): number | null {
    const n = parseInt(this.isupport.get('NICKLEN') ?? '', 10);
    return Number.isFinite(n) && n > 0 ? n : null;
  }

  /** Targets allowed in one `command` line: TARGMAX, else MAXTARGETS, else a small default. */
  maxTargets(command: string): number {
    const targmax = this.isupport.get('TARGMAX');
    if (targmax !== undefined) {
      for (const item of targmax.split(',')) {
        const [cmd, value] = item.split(':');
        if (cmd.toUpperCase() !== command) continue;
        const n = parseInt(value ?? '', 10);
        return Number.isFinite(n) && n > 0 ? n : Infinity; // `PRIVMSG:` with no value: no limit
      }
    }
    const n = parseInt(this.isupport.get('MAXTARGETS') ?? '', 10);
    return Number.isFinite(n) && n > 0 ? n : DEFAULT_MAX_TARGETS;
  }

  /** A STATUSMSG target (`@#chan`) without its status symbols, when what remains is a channel. */
  stripStatus(target: string): string {
    let k = 0;
    while (k < target.length && this.prefixSymbols.indexOf(target[k]) !== -1) k++;
    return k > 0 && this.isChannel(target.slice(k)) ? target.slice(k) : target;
  }

  /** Split a NAMES entry (`@+nick` or `@nick!user@host`) into its symbols and nick. */
  parseName(entry: string): MutableMember {
    let k = 0;
    while (k < entry.length && this.prefixSymbols.indexOf(entry[k]) !== -1) k++;
    const rest = entry.slice(k);
    const bang = rest.indexOf('!');
    return {
      nick: bang === -1 ? rest : rest.slice(0, bang),
      prefix: this.rankSymbols(entry.slice(0, k)),
    };
  }

  private rankSymbols(symbols: string): string {
    let out = '';
    for (const s of this.prefixSymbols) if (symbols.indexOf(s) !== -1) out += s;
    return out;
  }

  // ---- channels ----

  get channelNames(): string[] {
    return [...this.chans.values()].map((c) => c.name);
  }

  hasChannel(name: string): boolean {
    return this.chans.has(this.fold(name));
  }

  /** The channel's name as the server spells it, or `name` itself when we are not in it. */
  channelName(name: string): string {
    return this.chans.get(this.fold(name))?.name ?? name;
  }

  members(channel: string): Member[] {
    const ch = this.chans.get(this.fold(channel));
    return ch === undefined ? [] : [...ch.members.values()].map((m) => ({ ...m }));
  }

  topic(channel: string): string | null {
    return this.chans.get(this.fold(channel))?.topic ?? null;
  }

  /** Someone (us included) joined `channel`; our own join creates the channel. */
  joined(channel: string, nick: string, self: boolean): void {
    const key = this.fold(channel);
    let ch = this.chans.get(key);
    if (ch === undefined) {
      if (!self) return;
      ch = { name: channel, topic: '', members: new Map() };
      this.chans.set(key, ch);
    }
    ch.members.set(this.fold(nick), { nick, prefix: '' });
  }

  /** Someone left `channel` (PART or KICK); when it is us, the channel is forgotten. */
  left(channel: string, nick: string, self: boolean): void {
    const key = this.fold(channel);
    if (self) this.chans.delete(key);
    else this.chans.get(key)?.members.delete(this.fold(nick));
  }

  /** `nick` quit: remove it everywhere; returns the channels it shared with us. */
  quit(nick: string): string[] {
    const key = this.fold(nick);
    const shared: string[] = [];
    for (const ch of this.chans.values()) if (ch.members.delete(key)) shared.push(ch.name);
    return shared;
  }

  /** `from` is now `to`: rename it everywhere; returns the channels it shares with us. */
  renamed(from: string, to: string): string[] {
    const oldKey = this.fold(from);
    const newKey = this.fold(to);
    const shared: string[] = [];
    for (const ch of this.chans.values()) {
      const m = ch.members.get(oldKey);
      if (m === undefined) continue;
      ch.members.delete(oldKey);
      m.nick = to;
      ch.members.set(newKey, m);
      shared.push(ch.name);
    }
    return shared;
  }

  setTopic(channel: string, topic: string): void {
    const ch = this.chans.get(this.fold(channel));
    if (ch !== undefined) ch.topic = topic;
  }

  /** One 353 line: gather its names until 366. */
  namesLine(channel: string, entries: readonly string[]): void {
    const key = this.fold(channel);
    let pending = this.pendingNames.get(key);
    if (pending === undefined) {
      pending = { name: channel, members: [] };
      this.pendingNames.set(key, pending);
    }
    for (const e of entries) {
      const m = this.parseName(e);
      if (m.nick.length > 0) pending.members.push(m);
    }
  }

  /**
   * 366: the NAMES list is complete. A channel we are in gets exactly these members.
   * Returns the gathered members, or null when no 353 came first.
   */
  namesEnd(channel: string): { name: string; members: Member[] } | null {
    const key = this.fold(channel);
    const pending = this.pendingNames.get(key);
    this.pendingNames.delete(key);
    if (pending === undefined) return null;
    const ch = this.chans.get(key);
    if (ch !== undefined) {
      ch.members.clear();
      for (const m of pending.members) ch.members.set(this.fold(m.nick), m);
    }
    return { name: ch?.name ?? pending.name, members: pending.members.map((m) => ({ ...m })) };
  }

  /** A channel MODE change: keep member status symbols (PREFIX modes) up to date. */
  channelModes(channel: string, modes: string, args: readonly string[]): void {
    const ch = this.chans.get(this.fold(channel));
    let adding = true;
    let argIndex = 0;
    for (const c of modes) {
      if (c === '+' || c === '-') {
        adding = c === '+';
        continue;
      }
      const rank = this.prefixModes.indexOf(c);
      const [a, b, cc] = this.chanmodes;
      const takesArg = rank !== -1 || a.includes(c) || b.includes(c) || (adding && cc.includes(c));
      if (!takesArg) continue;
      const arg = args[argIndex++];
      if (rank === -1 || arg === undefined || ch === undefined) continue;
      const m = ch.members.get(this.fold(arg));
      if (m === undefined) continue;
      const symbol = this.prefixSymbols[rank];
      const held = m.prefix.replace(symbol, '');
      m.prefix = this.rankSymbols(adding ? held + symbol : held);
    }
  }
}
