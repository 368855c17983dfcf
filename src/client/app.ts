// The chat controller between a session and a view: conversations, unread counts, input actions, completion.
//
// It knows no terminal: a View prints finished lines and redraws its status. Both the plain
// (pipe) UI and the interactive (TTY) UI drive the same controller.
import { parseCaseMapping, type CaseMapping } from '../protocol/casemap.js';
import type { SessionEvent } from './events.js';
import { COMMANDS, parseInput, type InputAction } from './input.js';
import type { ClientSession } from './session.js';
import { formatEvent, wantsBell } from './ui/format.js';

export interface View {
  /** Show one finished display line (already sanitized, maybe with SGR colour). */
  print(line: string): void;
  /** Ring the terminal bell (mentions, private messages). */
  bell(): void;
  /** Something in status() changed: redraw the prompt/status line. */
  statusChanged(): void;
  /**
   * Ask for a secret at the terminal without echoing it; null when the user cancelled. Views
   * that cannot ask (plain mode) leave it out.
   */
  askSecret?(prompt: string): Promise<string | null>;
}

export interface ConversationInfo {
  name: string;
  unread: number;
  /** An unread line mentions us or is private to us. */
  highlight: boolean;
}

export interface Status {
  state: string;
  nick: string;
  current: string | null;
  /** The other conversations, in the order they were opened. */
  others: ConversationInfo[];
  lagMs: number | null;
  /** Seconds until the next reconnect attempt, when waiting. */
  retryInS: number | null;
}

/** How many recent speakers per conversation are remembered for Tab completion. */
const RECENT_SPEAKERS = 50;

export class ChatController {
  private readonly conversations = new Map<string, ConversationInfo>();
  private readonly speakers = new Map<string, string[]>();
  private current: string | null = null;
  private state = 'idle';
  private lagMs: number | null = null;
  private retryAt: number | null = null;
  /** A channel we asked to join: becomes current when the JOIN arrives. */
  private pendingSwitch: string | null = null;
  private quitting: Promise<void> | null = null;

  constructor(
    private readonly session: ClientSession,
    private readonly view: View,
    private readonly color: boolean,
    /** Channel to make current when it is joined (from --channel). */
    wanted: string | null = null,
  ) {
    this.pendingSwitch = wanted;
    session.onEvent((e) => this.onEvent(e));
  }

  /**
   * True once /quit, `/quote QUIT` or end of input has started leaving. The session's flag
   * counts too: it is set before the session ends, even when it ends at once (not connected).
   */
  get leaving(): boolean {
    return this.quitting !== null || this.session.leaving;
  }

  status(): Status {
    const others = [...this.conversations.values()].filter((c) => !this.same(c.name, this.current));
    const retryInS =
      this.retryAt === null ? null : Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000));
    return {
      state: this.state,
      nick: this.session.nick,
      current: this.current,
      others,
      lagMs: this.lagMs,
      retryInS,
    };
  }

  /**
   * Handle one typed line. Resolves 'quit' when the line ended the session (after the server
   * confirmed or the quit timed out), 'continue' otherwise.
   */
  async submit(line: string): Promise<'continue' | 'quit'> {
    // Lines typed (or piped) before the first registration settles wait for it, so that they
    // go to the conversation the server or --channel sets up, in the order they were typed;
    // /quit does not wait, or it would hang for as long as the server stays unreachable.
    if (parseInput(line, { current: null }).kind !== 'quit') await this.session.whenSettled();
    const chantypes = this.session.isupport.get('CHANTYPES') ?? '#&';
    const action = parseInput(line, { current: this.current, chantypes });
    return this.perform(action);
  }

  /** Leave cleanly: QUIT, then wait for the server to close the link. */
  quit(reason: string | null = null): Promise<void> {
    this.quitting ??= this.session.quit(reason ?? 'Leaving');
    return this.quitting;
  }

  /**
   * Tab completion candidates for `word`: at the start of a line "/" completes commands; "#"
   * completes joined channels; otherwise nicks of the current conversation, recent speakers first.
   */
  completions(word: string): string[] {
    const lower = word.toLowerCase();
    const starts = (s: string) => s.toLowerCase().startsWith(lower);
    if (word.startsWith('/')) {
      const names = COMMANDS.flatMap((c) => [c.name, ...c.aliases]).map((n) => '/' + n);
      return [...new Set(names.filter(starts))].sort();
    }
    if (this.session.isChannel(word)) return this.session.channels.filter(starts);
    const recent = this.current === null ? [] : (this.speakers.get(this.key(this.current)) ?? []);
    const members =
      this.current !== null && this.session.isChannel(this.current)
        ? this.session.members(this.current).map((m) => m.nick)
        : this.current !== null
          ? [this.current]
          : [];
    const seen = new Set<string>();
    const out: string[] = [];
    for (const nick of [...recent, ...members.sort((a, b) => a.localeCompare(b))]) {
      const k = this.key(nick);
      if (seen.has(k) || this.same(nick, this.session.nick) || !starts(nick)) continue;
      seen.add(k);
      out.push(nick);
    }
    return out;
  }

  /** The open conversations, in the order they were opened (for Alt-1..9 and Ctrl-N/P). */
  conversationNames(): string[] {
    return [...this.conversations.values()].map((c) => c.name);
  }

  /** Make an open conversation current, as /switch does; false when none has that name. */
  switchTo(name: string): boolean {
    if (!this.conversations.has(this.key(name))) return false;
    this.setCurrent(name);
    return true;
  }

  // ---- input actions ----

  private async perform(a: InputAction): Promise<'continue' | 'quit'> {
    const s = this.session;
    switch (a.kind) {
      case 'none':
        break;
      case 'error':
        this.local('error', a.message);
        break;
      case 'say':
        s.say(a.target, a.text);
        if (a.switchTo !== null) this.open(a.switchTo, true);
        break;
      case 'action':
        s.action(a.target, a.text);
        break;
      case 'query':
        this.open(a.nick, true);
        break;
      case 'switch':
        if (!this.switchTo(a.target))
          this.local('error', `No conversation named ${a.target} — open: ${this.openList()}`);
        break;
      case 'join':
        a.channels.forEach((ch, k) => s.join(ch, a.keys[k]));
        this.pendingSwitch = a.channels[a.channels.length - 1] ?? null;
        break;
      case 'part':
        s.part(a.channel, a.reason ?? undefined);
        break;
      case 'close':
        if (s.isChannel(a.target)) s.part(a.target);
        else this.close(a.target);
        break;
      case 'nick':
        s.setNick(a.nick);
        break;
      case 'who':
        s.raw(`WHO ${a.mask}`);
        break;
      case 'names':
        s.raw(`NAMES ${a.channel}`);
        break;
      case 'list':
        s.raw(a.args === null ? 'LIST' : `LIST ${a.args}`);
        break;
      case 'topic':
        s.raw(a.topic === null ? `TOPIC ${a.channel}` : `TOPIC ${a.channel} :${a.topic}`);
        break;
      case 'away':
        s.setAway(a.message);
        break;
      case 'whois':
        s.raw(`WHOIS ${a.nick}`);
        break;
      case 'register':
        await this.register(a.password);
        break;
      case 'quote':
        s.raw(a.line);
        // A QUIT typed raw went through session.quit(): end the same way /quit does.
        if (s.leaving) {
          await this.quit();
          return 'quit';
        }
        break;
      case 'help':
        for (const text of a.lines) this.local('info', text);
        break;
      case 'quit':
        await this.quit(a.reason);
        return 'quit';
    }
    return 'continue';
  }

  /** /register: the password given, or asked for without echo; never printed. */
  private async register(given: string | null): Promise<void> {
    let password = given;
    if (password === null) {
      if (this.view.askSecret === undefined) {
        this.local('error', 'No terminal to ask at: give the password, /register <password>');
        return;
      }
      password = await this.view.askSecret('Password for the new account (not shown): ');
      if (password === null) return this.local('info', 'Registration cancelled');
    }
    if (password.trim() === '') return this.local('error', 'An empty password: nothing sent');
    this.session.register(password);
  }

  // ---- session events ----

  private onEvent(e: SessionEvent): void {
    switch (e.type) {
      case 'state':
        this.state = e.state;
        this.retryAt = e.retryInMs !== undefined ? Date.now() + e.retryInMs : null;
        this.view.statusChanged();
        break;
      case 'lag':
        this.lagMs = e.ms;
        this.view.statusChanged();
        return;
      case 'join':
        if (e.self) {
          this.open(e.channel, false);
          if (this.current === null || this.same(e.channel, this.pendingSwitch)) {
            this.setCurrent(e.channel);
            if (this.same(e.channel, this.pendingSwitch)) this.pendingSwitch = null;
          }
        }
        break;
      case 'part':
      case 'kick':
        if (e.self) this.close(e.channel);
        break;
      case 'nick':
        this.renamed(e.from, e.to);
        break;
      case 'message':
        this.open(e.conversation, false);
        if (!e.self) this.spoke(e.conversation, e.from);
        // Our own lines (echo-message) are never unread, wherever they went.
        if (!e.self && !this.same(e.conversation, this.current)) {
          const c = this.conversations.get(this.key(e.conversation));
          if (c !== undefined) {
            c.unread++;
            c.highlight ||= e.highlight;
            this.view.statusChanged();
          }
        }
        break;
      case 'names':
        this.print({
          type: 'info',
          time: Date.now(),
          conversation: e.channel,
          text: `${e.channel}: ${e.nicks.map((n, k) => (e.prefixes?.[k] ?? '') + n).join(' ')}`,
        });
        return;
      default:
        break;
    }
    this.print(e);
  }

  private print(e: SessionEvent): void {
    const line = formatEvent(e, {
      color: this.color,
      me: this.session.nick,
      current: this.current,
      casemapping: this.casemapping(),
    });
    if (line === null) return;
    this.view.print(line);
    if (wantsBell(e, this.session.nick)) this.view.bell();
  }

  private local(kind: 'info' | 'error', text: string): void {
    const time = Date.now();
    this.print(
      kind === 'info'
        ? { type: 'info', time, text, conversation: null }
        : { type: 'error', time, text, code: 'local', conversation: null },
    );
  }

  // ---- conversations ----

  private open(name: string, makeCurrent: boolean): void {
    const k = this.key(name);
    if (!this.conversations.has(k)) {
      this.conversations.set(k, { name, unread: 0, highlight: false });
      this.view.statusChanged();
    }
    if (makeCurrent) this.setCurrent(name);
  }

  private close(name: string): void {
    this.conversations.delete(this.key(name));
    this.speakers.delete(this.key(name));
    if (this.same(name, this.current)) {
      const next = [...this.conversations.values()].at(-1);
      this.current = next?.name ?? null;
    }
    this.view.statusChanged();
  }

  private setCurrent(name: string): void {
    const c = this.conversations.get(this.key(name));
    this.current = c?.name ?? name;
    if (c !== undefined) {
      c.unread = 0;
      c.highlight = false;
    }
    this.view.statusChanged();
  }

  private renamed(from: string, to: string): void {
    const k = this.key(from);
    const c = this.conversations.get(k);
    if (c !== undefined) {
      this.conversations.delete(k);
      c.name = to;
      this.conversations.set(this.key(to), c);
      if (this.same(from, this.current)) this.current = to;
    }
    for (const list of this.speakers.values()) {
      const i = list.findIndex((n) => this.same(n, from));
      if (i !== -1) list[i] = to;
    }
    this.view.statusChanged();
  }

  private spoke(conversation: string, nick: string): void {
    const k = this.key(conversation);
    const list = (this.speakers.get(k) ?? []).filter((n) => !this.same(n, nick));
    list.unshift(nick);
    if (list.length > RECENT_SPEAKERS) list.pop();
    this.speakers.set(k, list);
  }

  private openList(): string {
    const names = [...this.conversations.values()].map((c) => c.name);
    return names.length === 0 ? 'none' : names.join(', ');
  }

  private casemapping(): CaseMapping {
    return parseCaseMapping(this.session.isupport.get('CASEMAPPING'));
  }

  private key(name: string): string {
    return this.session.fold(name);
  }

  private same(a: string | null, b: string | null): boolean {
    return a !== null && b !== null && this.key(a) === this.key(b);
  }
}
