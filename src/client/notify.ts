// Desktop notifications through the terminal (--notify): an OSC 9 and/or OSC 777 sequence on a mention or private message, exactly when the bell rings.
//
//   OSC 9:    ESC ] 9 ; <text> BEL                     iTerm2, kitty, WezTerm, Ghostty
//   OSC 777:  ESC ] 777 ; notify ; <title> ; <body> BEL  rxvt-unicode (notify extension), foot,
//                                                       WezTerm, Ghostty, VTE with Fedora's patch
//   in tmux:  ESC P tmux ; <the sequence, each ESC doubled> ESC \   (needs `allow-passthrough on`)
//
// The text is remote data: names go through clean() and message text through render() (the same
// sanitising as the screen), then stripControls once more right before framing, so no ESC, BEL,
// C0/C1 control or bidi override can end the sequence early or start another; `;` is dropped from
// the OSC 777 title (it would end the field); both fields are capped. A terminal that knows
// neither sequence ignores it (OSC strings are consumed whole), and none moves the cursor, so a
// sequence between two frames of the view leaves the screen as it was.
import { stripControls } from '../protocol/sanitize.js';
import type { SessionEvent } from './events.js';
import { wantsBell } from './ui/format.js';
import { clean, render } from './ui/ircformat.js';

export type NotifyStyle = 'osc9' | 'osc777' | 'both';
export const NOTIFY_STYLES: readonly string[] = ['auto', 'osc9', 'osc777', 'both'];

/** Longest notification text (OSC 9) or body (OSC 777), in characters; longer ones end in "…". */
export const NOTIFY_TEXT_MAX = 200;
/** Longest OSC 777 title, in characters. */
export const NOTIFY_TITLE_MAX = 60;
/**
 * At most one notification per this many ms: someone flooding mentions or private messages must
 * not bury the desktop in pop-ups; the first of a burst is enough to make you look.
 */
export const NOTIFY_GAP_MS = 2000;

export interface Notification {
  title: string;
  body: string;
}

/**
 * The style `--notify` (auto) picks from the environment: OSC 777 in terminals known to show only
 * that one (rxvt-unicode, foot, VTE-based ones), OSC 9 elsewhere. Under tmux, TERM names tmux, so
 * auto means OSC 9 there; --notify-with says otherwise.
 */
export function autoNotifyStyle(env: NodeJS.ProcessEnv = process.env): NotifyStyle {
  const term = env.TERM ?? '';
  if (/^(rxvt|foot)/.test(term) || (env.VTE_VERSION ?? '') !== '') return 'osc777';
  return 'osc9';
}

/** At most `max` characters (code points, never half a surrogate pair), "…" marking a cut. */
function capped(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/** Wrap `seq` for tmux's DCS passthrough: every ESC inside doubled. */
export function tmuxWrap(seq: string): string {
  return `\x1bPtmux;${seq.replace(/\x1b/g, '\x1b\x1b')}\x1b\\`;
}

/** The bytes to write for `n`: safe whatever the title and body hold. */
export function notificationSequence(n: Notification, style: NotifyStyle, tmux: boolean): string {
  const title = capped(stripControls(n.title).replace(/;/g, ''), NOTIFY_TITLE_MAX);
  const body = capped(stripControls(n.body), NOTIFY_TEXT_MAX);
  let text = capped(title === '' ? body : `${title}: ${body}`, NOTIFY_TEXT_MAX);
  // ConEmu and Windows Terminal read `OSC 9 ; <digits> ;` as commands of their own (progress...).
  if (/^[0-9]/.test(text)) text = capped(`parley: ${text}`, NOTIFY_TEXT_MAX);
  const seqs: string[] = [];
  if (style !== 'osc777') seqs.push(`\x1b]9;${text}\x07`);
  if (style !== 'osc9') seqs.push(`\x1b]777;notify;${title === '' ? 'parley' : title};${body}\x07`);
  return seqs.map((s) => (tmux ? tmuxWrap(s) : s)).join('');
}

/** What to say for `event`, or null when the bell would not ring for it. */
export function notificationFor(event: SessionEvent, me: string): Notification | null {
  if (!wantsBell(event, me)) return null;
  const text = (s: string) => render(s, false, '');
  switch (event.type) {
    case 'message': {
      const from = clean(event.from);
      const said =
        event.kind === 'action'
          ? `* ${from} ${text(event.text)}`
          : event.kind === 'notice'
            ? `-${from}- ${text(event.text)}`
            : event.private
              ? text(event.text)
              : `<${from}> ${text(event.text)}`;
      return { title: event.private ? from : clean(event.conversation), body: said };
    }
    case 'invite':
      return {
        title: clean(event.channel),
        body: `${clean(event.from)} invites you to ${clean(event.channel)}`,
      };
    case 'kick': {
      const reason = text(event.reason);
      const why = reason === '' ? '' : ` (${reason})`;
      return {
        title: clean(event.channel),
        body: `you were kicked from ${clean(event.channel)} by ${clean(event.by)}${why}`,
      };
    }
    default:
      return null;
  }
}

export interface NotifierOptions {
  style: NotifyStyle;
  /** Running inside tmux ($TMUX set): wrap each sequence for its passthrough. */
  tmux: boolean;
  /** Clock for the gap between notifications, epoch ms; default Date.now(). */
  now?: () => number;
}

/** What the notifier needs of the session: its events and our nick. */
export interface NotifySource {
  readonly nick: string;
  onEvent(listener: (event: SessionEvent) => void): () => void;
}

/**
 * Write a notification to `out` (the terminal) for each session event that rings the bell, at
 * most one per NOTIFY_GAP_MS. Returns the unsubscribe function.
 */
export function startNotifier(
  session: NotifySource,
  out: { write(s: string): unknown },
  opts: NotifierOptions,
): () => void {
  const now = opts.now ?? Date.now;
  let last = -Infinity;
  return session.onEvent((event) => {
    const n = notificationFor(event, session.nick);
    if (n === null || now() - last < NOTIFY_GAP_MS) return;
    last = now();
    try {
      out.write(notificationSequence(n, opts.style, opts.tmux));
    } catch {
      // the terminal is gone: nothing to notify on
    }
  });
}
