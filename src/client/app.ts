// The chat controller between a session and a view: conversations, unread counts, input actions, completion.
//
// It knows no terminal: a View prints finished lines and redraws its status. Both the plain
// (pipe) UI and the interactive (TTY) UI drive the same controller.
import { parseCaseMapping, type CaseMapping } from '../protocol/casemap.js';
import type { SessionEvent } from './events.js';
import { COMMANDS, parseInput, type InputAction } from './input.js';
import { Conversations } from './conversations.js';
import { SERVER_WINDOW_ID, windowsOf } from './route.js';
import type { Member } from './state.js';
import type { ClientSession } from './session.js';
import { JOIN_REFUSALS } from './replies.js';
import { formatEvent, wantsBell } from './ui/format.js';
import { displayWidth } from './ui/width.js';
import type { ConversationInfo, Status, View } from './view.js';

export type { LineInfo } from './route.js';
export type { ConversationInfo, Status, View } from './view.js';

export class ChatController {
  private readonly convs: Conversations;
  private state = 'idle';
  private lagMs: number | null = null;
  private retryAt: number | null = null;
  /** The --channel channel: becomes current when its JOIN arrives. */
  private pendingSwitch: string | null = null;
  /** The user chose the server window: a JOIN from the server does not take them away from it. */
  private onServer = false;
  private quitting: Promise<void> | null = null;

  constructor(
    private readonly session: ClientSession,
    private readonly view: View,
    private readonly color: boolean,
    /** Channel to make current when it is joined (from --channel). */
    wanted: string | null = null,
  ) {
    this.pendingSwitch = wanted;
    this.convs = new Conversations(
      (name) => session.fold(name),
      () => view.statusChanged(),
    );
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
    const current = this.convs.current;
    const others = this.convs.all().filter((c) => !this.convs.same(c.name, current));
    const retryInS =
      this.retryAt === null ? null : Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000));
    return {
      state: this.state,
      nick: this.session.nick,
      current,
      others,
      lagMs: this.lagMs,
      retryInS,
      away: this.session.away !== null,
    };
  }

  /**
   * Handle one typed line. Resolves 'quit' when the line ended the session (after the server
   * confirmed or the quit timed out), 'continue' otherwise.
   */
  async submit(line: string): Promise<'continue' | 'quit' | 'unsent'> {
    // Lines typed (or piped) before the first registration settles wait for it, so that they
    // go to the conversation the server or --channel sets up, in the order they were typed;
    // /quit does not wait, or it would hang for as long as the server stays unreachable.
    if (parseInput(line, { current: null }).kind !== 'quit') await this.session.whenSettled();
    if (this.session.ended) return 'unsent'; // the session ended while the line waited
    const chantypes = this.session.isupport.get('CHANTYPES') ?? '#&';
    const action = parseInput(line, { current: this.convs.current, chantypes });
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
    const current = this.convs.current;
    const recent = current === null ? [] : this.convs.recentSpeakers(current);
    const members =
      current !== null && this.session.isChannel(current)
        ? this.session.members(current).map((m) => m.nick)
        : current !== null
          ? [current]
          : [];
    const seen = new Set<string>();
    const out: string[] = [];
    for (const nick of [...recent, ...members.sort((a, b) => a.localeCompare(b))]) {
      const k = this.convs.key(nick);
      if (seen.has(k) || this.convs.same(nick, this.session.nick) || !starts(nick)) continue;
      seen.add(k);
      out.push(nick);
    }
    return out;
  }

  /** The open conversations, in the order they were opened (for Alt-1..9 and Ctrl-N/P). */
  conversationNames(): string[] {
    return this.convs.all().map((c) => c.name);
  }

  /** Make an open conversation current, as /switch does; false when none has that name. */
  switchTo(name: string): boolean {
    if (!this.convs.has(name)) return false;
    this.onServer = false;
    this.convs.setCurrent(name);
    return true;
  }

  /** The open conversations with their window ids, in the order they were opened. */
  conversations(): readonly ConversationInfo[] {
    return this.convs.all();
  }

  /** The current conversation's window id; SERVER_WINDOW_ID when there is none. */
  currentWindow(): number {
    const c = this.convs.current;
    return (c === null ? null : this.convs.idOf(c)) ?? SERVER_WINDOW_ID;
  }

  /**
   * The user has seen window `id` up to `time` (its newest line's server time): the server is
   * told (MARKREAD) when logged in, so the account's other clients count those lines read.
   */
  markRead(id: number, time: number): void {
    const conv = this.convs.all().find((c) => c.id === id);
    if (conv !== undefined) this.session.markRead(conv.name, time);
  }

  /** Show the server window: no conversation is current, so plain lines go nowhere. */
  showServer(): void {
    this.onServer = true;
    this.convs.current = null;
    this.view.statusChanged();
  }

  /** The members of `channel` we know (bare nicks with their status symbols). */
  members(channel: string): readonly Member[] {
    return this.session.isChannel(channel) ? this.session.members(channel) : [];
  }

  /** True when `name` is a channel name on this network. */
  isChannel(name: string): boolean {
    return this.session.isChannel(name);
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
        if (a.switchTo !== null) this.convs.show(a.switchTo, true);
        break;
      case 'action':
        s.action(a.target, a.text);
        break;
      case 'query':
        this.convs.show(a.nick, true);
        break;
      case 'switch':
        if (!this.switchTo(a.target))
          this.local('error', `No conversation named ${a.target} — open: ${this.openList()}`);
        break;
      case 'join':
        a.channels.forEach((ch, k) => s.join(ch, a.keys[k]));
        this.convs.joinAsked(a.channels);
        break;
      case 'part':
        s.part(a.channel, a.reason ?? undefined);
        // At once, not on the server's PART: the next line goes elsewhere.
        this.convs.close(a.channel);
        break;
      case 'close':
        if (s.isChannel(a.target)) s.part(a.target);
        else this.convs.close(a.target);
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
        for (const text of a.lines) this.local('info', text, a.hang);
        break;
      case 'quit':
        await this.quit(a.reason);
        return 'quit';
      case 'window':
      case 'find':
      case 'nicklist':
        if (this.view.windowCommand !== undefined) this.view.windowCommand(a);
        else this.local('error', `/${a.kind} needs the full-screen view (not --inline or --plain)`);
        break;
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
          this.convs.joined(e.channel);
          const wanted = this.convs.same(e.channel, this.pendingSwitch);
          if ((this.convs.current === null && !this.onServer) || wanted) {
            this.convs.setCurrent(e.channel);
          }
          if (wanted) this.pendingSwitch = null;
        }
        break;
      case 'part':
      case 'kick':
        if (e.self) this.convs.close(e.channel);
        break;
      case 'nick':
        this.convs.renamed(e.from, e.to);
        break;
      case 'message': {
        const read = this.session.readMarker(e.conversation);
        this.convs.arrived(e.conversation, e.from, e.self, e.highlight, { time: e.time, read });
        break;
      }
      case 'readmarker':
        // Our own MARKREAD coming back changes nothing here: we showed those lines ourselves.
        if (e.marker !== null && !e.self) {
          this.convs.readTo(e.target, e.marker);
          const id = this.convs.idOf(e.target);
          if (id !== null) this.view.readTo?.(id, e.marker);
        }
        return;
      case 'names':
        this.print({
          type: 'info',
          time: Date.now(),
          conversation: e.channel,
          text: `${e.channel}: ${e.nicks.map((n, k) => (e.prefixes?.[k] ?? '') + n).join(' ')}`,
        });
        return;
      case 'error':
        if (typeof e.channel === 'string' && JOIN_REFUSALS.has(e.code)) {
          this.convs.refused(e.channel);
        }
        break;
      default:
        break;
    }
    this.print(e);
  }

  private print(e: SessionEvent): void {
    const windows = windowsOf(e, (name) => this.convs.idOf(name));
    // In a window of its own a line needs no `[#dev]` tag; in the server window it keeps it.
    const home =
      this.view.windowed === true && windows.length === 1
        ? (this.convs.all().find((c) => c.id === windows[0])?.name ?? null)
        : this.convs.current;
    const line = formatEvent(e, {
      color: this.color,
      me: this.session.nick,
      current: home,
      casemapping: this.casemapping(),
    });
    if (line === null) return;
    const message = e.type === 'message';
    this.view.print(line, {
      windows,
      time: 'time' in e ? e.time : Date.now(),
      placed: message,
      unread: message && !e.self,
      history: message && e.history === true,
      read: message ? this.session.readMarker(e.conversation) : null,
      ...(e.type === 'info' && e.hang !== undefined ? { hang: hangOf(line, e.text, e.hang) } : {}),
    });
    if (wantsBell(e, this.session.nick)) this.view.bell();
  }

  /** A line of ours (a listing, a refusal) where the user is: the current conversation's window. */
  note(text: string, kind: 'info' | 'error' = 'info'): void {
    this.local(kind, text);
  }

  private local(kind: 'info' | 'error', text: string, hang?: number): void {
    const time = Date.now();
    const conversation = this.convs.current;
    this.print(
      kind === 'info'
        ? { type: 'info', time, text, conversation, ...(hang === undefined ? {} : { hang }) }
        : { type: 'error', time, text, code: 'local', conversation },
    );
  }

  // ---- conversations ----

  private openList(): string {
    const names = this.convs.all().map((c) => c.name);
    return names.length === 0 ? 'none' : names.join(', ');
  }

  private casemapping(): CaseMapping {
    return parseCaseMapping(this.session.isupport.get('CASEMAPPING'));
  }
}

/** Where `text`'s column `hang` falls in its display `line`, which ends with it (after a time). */
function hangOf(line: string, text: string, hang: number): number {
  return displayWidth(line) - displayWidth(text) + hang;
}
