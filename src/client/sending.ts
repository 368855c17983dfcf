// The session's sending API (say … raw): what the user asks to send, cleaned and held in order in the outbox until registered.
import { serializeBody } from '../protocol/index.js';
import type { Outbox } from './outbox.js';
import { cleanLine, textLines } from './outgoing.js';
import type { Restore } from './restore.js';

/** The base of ClientSession (session.ts), which owns the link these lines are written to. */
export abstract class SessionSending {
  protected abstract readonly outbox: Outbox;
  /** Away and keyed channels, remembered to restore after a reconnect. */
  protected abstract readonly restore: Restore;
  /** Registered, on an open link: a line written now goes out now. */
  protected abstract get live(): boolean;
  protected abstract write(line: string): void;
  /** The nick we want from now on: alternatives after a 433 derive from it. */
  protected abstract prefer(nick: string): void;
  /** The server offers `cap` (whether or not we requested it). */
  protected abstract offers(cap: string): boolean;
  abstract quit(reason?: string): Promise<void>;

  /** PRIVMSG to a target, a comma list or an array of targets (cut to TARGMAX and 512 bytes). */
  say(target: string | readonly string[], text: string): void {
    this.outbox.message('PRIVMSG', 'privmsg', target, text);
  }

  /** CTCP ACTION (`/me`). */
  action(target: string | readonly string[], text: string): void {
    this.outbox.message('PRIVMSG', 'action', target, text);
  }

  notice(target: string | readonly string[], text: string): void {
    this.outbox.message('NOTICE', 'notice', target, text);
  }

  join(channel: string, key?: string): void {
    const name = cleanLine(channel).trim();
    const k = cleanLine(key ?? '').trim();
    if (name === '') return;
    this.outbox.whenReady(() => {
      if (k !== '') this.restore.keyed(name, k);
      this.write(serializeBody(null, 'JOIN', k === '' ? [name] : [name, k]));
    });
  }

  part(channel: string, reason?: string): void {
    const name = cleanLine(channel).trim();
    const why = cleanLine(reason ?? '');
    if (name === '') return;
    const params = why === '' ? [name] : [name, why];
    this.outbox.whenReady(() => this.write(serializeBody(null, 'PART', params)));
  }

  setNick(nick: string): void {
    const n = cleanLine(nick).trim();
    if (n === '') return;
    this.prefer(n);
    this.outbox.whenReady(() => this.write(serializeBody(null, 'NICK', [n])));
  }

  /**
   * Mark us away with `text`, or back with null. Sent now when registered, else once we are;
   * after a reconnect we are marked away again (the server forgot it with the link).
   */
  setAway(text: string | null): void {
    const t = cleanLine(text ?? '');
    this.restore.away = t === '' ? null : t;
    if (this.live) this.write(this.restore.awayLine());
  }

  /** Our away message, or null when we are not away. */
  get away(): string | null {
    return this.restore.away;
  }

  /**
   * Register an account for our nick: `REGISTER * * <password>` when the server offers
   * draft/account-registration, else `PRIVMSG NickServ :REGISTER <password>`.
   */
  register(password: string): void {
    const pw = cleanLine(password);
    this.outbox.whenReady(() => {
      const line = this.offers('draft/account-registration')
        ? serializeBody(null, 'REGISTER', ['*', '*', pw])
        : serializeBody(null, 'PRIVMSG', ['NickServ', `REGISTER ${pw}`]);
      this.write(line);
    });
  }

  /** Send lines as typed (`/quote`); a QUIT goes through quit() so it does not reconnect. */
  raw(line: string): void {
    for (const l of textLines(line)) {
      const quit = /^\s*QUIT(?:\s+:?(.*))?$/i.exec(l);
      if (quit !== null) void this.quit(quit[1] ?? '');
      else this.outbox.whenReady(() => this.write(l));
    }
  }
}
