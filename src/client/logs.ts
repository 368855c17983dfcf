// Logs on disk (--log, --log-dir): every session event as a plain-text line in its conversation's file, DIR/<server>/<conversation>.log, server messages in server.log.
//
// Lines are the screen's lines without colour (formatEvent with colour off: remote text goes
// through the same sanitising, so no escape or control character reaches the file), stamped with
// the event's own time (log-file.ts). Replayed history is marked "[history]" as on the screen and
// written once: within a run a msgid is written at most once per file (the feed already drops a
// line both replayed and live); across runs a replayed line older than the newest line the file
// already had is skipped (log-file.ts).
//
// File names: the name folded with the server's case mapping (#Dev and #dev share a file), each
// `/ \ : * ? " < > | %`, control character or bidi override written as %XX (its UTF-8 bytes), a
// leading or trailing dot or space too (so never `.`, `..` or a hidden file); a name longer than
// NAME_MAX_BYTES is cut and ends with a hash of the whole. A person called "server" gets
// %73erver.log. Folders are created 0700, files 0600; a failure is one line and that file (or,
// when the folder is unusable or the disk full, all logging) stops.
import { createHash } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import path from 'node:path';
import { parseCaseMapping } from '../protocol/casemap.js';
import type { SessionEvent } from './events.js';
import { LogFile } from './log-file.js';
import { formatEvent } from './ui/format.js';

/** Longest file name we make, in UTF-8 bytes, before `.log` (file systems allow 255). */
const NAME_MAX_BYTES = 200;
/** Msgids remembered per file, to write a message once within a run. */
const SEEN_PER_FILE = 5000;
/** Errors that say the whole disk (not one file) is unusable: all logging stops. */
const WHOLE_DISK = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);
const UNSAFE = /[/\\:*?"<>|%\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;
/** The file of messages that belong to no conversation. */
const SERVER_FILE = 'server';

/** `name` (already folded) as a file name of its own, without the `.log`. */
export function safeFileName(name: string): string {
  const hex = (ch: string) =>
    [...Buffer.from(ch, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'));
  let out = name.replace(UNSAFE, (ch) => hex(ch).join(''));
  out = out.replace(/^[. ]/, (ch) => hex(ch)[0]).replace(/[. ]$/, (ch) => hex(ch)[0]);
  if (out === '') return '%';
  if (out === SERVER_FILE) return '%73erver';
  if (Buffer.byteLength(out) <= NAME_MAX_BYTES) return out;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  let cut = '';
  for (const ch of out) {
    if (Buffer.byteLength(cut + ch) > NAME_MAX_BYTES - hash.length - 1) break;
    cut += ch;
  }
  // A cut may end inside a %XX: harmless, the hash keeps names apart.
  return `${cut}~${hash}`;
}

/** The folder of one server: its host as given, and the port unless it is the usual one. */
export function serverFolder(host: string, port: number, tls: boolean): string {
  const usual = port === (tls ? 6697 : 6667);
  return safeFileName(usual ? host.toLowerCase() : `${host.toLowerCase()}_${port}`);
}

/** What the logs need of the session. */
export interface LogSource {
  readonly nick: string;
  readonly isupport: ReadonlyMap<string, string>;
  fold(name: string): string;
  isChannel(name: string): boolean;
  onEvent(listener: (event: SessionEvent) => void): () => void;
}

export interface ChatLogsOptions {
  /** The logs' root (--log-dir); the server's folder goes inside it. */
  dir: string;
  host: string;
  port: number;
  tls: boolean;
  session: LogSource;
  /** Show one line to the user (a failure); called at most once per file, or once in all. */
  report(text: string): void;
  /** Clock for lines without a time of their own ('state', 'registered'); default Date.now(). */
  now?: () => number;
}

export class ChatLogs {
  /** DIR/<server>: where this session's files go. */
  readonly folder: string;
  private readonly files = new Map<string, LogFile>();
  private readonly seen = new Map<string, Set<string>>();
  private folderReady: Promise<boolean> | null = null;
  private off = false;
  private readonly unsubscribe: () => void;
  private readonly exitFlush = (): void => {
    for (const f of this.files.values()) f.flushSync();
  };

  constructor(private readonly opts: ChatLogsOptions) {
    this.folder = path.join(path.resolve(opts.dir), serverFolder(opts.host, opts.port, opts.tls));
    this.unsubscribe = opts.session.onEvent((e) => this.record(e));
    process.on('exit', this.exitFlush);
  }

  /** Stop listening; write and close every file. */
  async close(): Promise<void> {
    this.unsubscribe();
    await Promise.all([...this.files.values()].map((f) => f.close()));
    process.off('exit', this.exitFlush);
  }

  /** The file a conversation's lines go to (null: the server's). */
  fileOf(conversation: string | null): string {
    const name =
      conversation === null ? SERVER_FILE : safeFileName(this.opts.session.fold(conversation));
    return path.join(this.folder, name + '.log');
  }

  private record(e: SessionEvent): void {
    if (this.off) return;
    const s = this.opts.session;
    const time = 'time' in e ? e.time : (this.opts.now ?? Date.now)();
    const history = e.type === 'message' && e.history === true;
    for (const conversation of this.conversationsOf(e)) {
      const file = this.fileOf(conversation);
      if (e.type === 'message' && e.msgid !== undefined && this.seenBefore(file, e.msgid)) continue;
      const line = formatEvent(e, {
        color: false,
        me: s.nick,
        current: conversation,
        casemapping: parseCaseMapping(s.isupport.get('CASEMAPPING')),
        now: time,
      });
      if (line === null) continue;
      // Not dated (now is the event's own time): the clock is "HH:MM:SS " or "--:--:-- ".
      const text = line.slice(line.indexOf(' ') + 1);
      this.file(file).add({ time, text, history });
    }
  }

  /** Where `e` is written: conversation names, null for server.log; none for names and lag. */
  private conversationsOf(e: SessionEvent): Array<string | null> {
    const s = this.opts.session;
    const me = (nick: string) => s.fold(nick) === s.fold(s.nick);
    /** A private conversation already written to this run (quits and renames go there too). */
    const privately = (nick: string) => (this.files.has(this.fileOf(nick)) ? [nick] : []);
    switch (e.type) {
      case 'message':
        return [e.conversation];
      case 'join':
      case 'part':
      case 'kick':
      case 'topic':
        return [e.channel];
      case 'quit':
        return [...e.channels, ...privately(e.nick)];
      case 'nick':
        return [...e.channels, ...(e.self ? [null] : privately(e.from))];
      case 'mode':
        return [s.isChannel(e.target) ? e.target : null];
      case 'away':
        return me(e.nick) ? [null] : privately(e.nick);
      case 'info':
        return [e.conversation];
      case 'error':
        return [e.conversation ?? e.channel ?? null];
      case 'invite':
      case 'state':
      case 'registered':
        return [null];
      case 'names':
      case 'lag':
      case 'readmarker':
        return [];
    }
  }

  /** True when `msgid` was written to `file` already this run; remembers it otherwise. */
  private seenBefore(file: string, msgid: string): boolean {
    let ids = this.seen.get(file);
    if (ids === undefined) this.seen.set(file, (ids = new Set()));
    if (ids.has(msgid)) return true;
    ids.add(msgid);
    if (ids.size > SEEN_PER_FILE) ids.delete(ids.values().next().value as string);
    return false;
  }

  private file(name: string): LogFile {
    let f = this.files.get(name);
    if (f === undefined) {
      this.folderReady ??= this.makeFolder();
      f = new LogFile(name, this.folderReady, (err) => this.failed(name, err), this.opts.now);
      this.files.set(name, f);
    }
    return f;
  }

  /** The server's folder, made 0700 (with DIR) if missing, and checked writable; false: reported. */
  private async makeFolder(): Promise<boolean> {
    try {
      await fsp.mkdir(this.folder, { recursive: true, mode: 0o700 });
      await fsp.access(this.folder, constants.W_OK | constants.X_OK);
      return true;
    } catch (err) {
      this.off = true;
      this.opts.report(
        `log: cannot write in ${this.folder}: ${why(err as NodeJS.ErrnoException)}; not logging (choose another folder with --log-dir)`,
      );
      return false;
    }
  }

  private failed(file: string, err: NodeJS.ErrnoException): void {
    if (this.off) return;
    if (err.code !== undefined && WHOLE_DISK.has(err.code)) {
      this.off = true;
      for (const f of this.files.values()) f.stop();
      this.opts.report(
        `log: cannot write ${file}: ${why(err)}; not logging any more (free some space, or choose another folder with --log-dir)`,
      );
    } else {
      this.opts.report(
        `log: cannot write ${file}: ${why(err)}; not logging this conversation any more (see --log-dir)`,
      );
    }
  }
}

/** An error as a few words and its code: "permission denied (EACCES)". */
function why(err: NodeJS.ErrnoException): string {
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOSPC: 'the disk is full',
    EDQUOT: 'over the disk quota',
    EROFS: 'a read-only file system',
    ENOTDIR: 'a file is in the way of a folder',
    EISDIR: 'it is a folder',
    EEXIST: 'a file is in the way',
  };
  const code = err.code ?? '';
  return code in words ? `${words[code]} (${code})` : (err.message.split('\n')[0] ?? String(err));
}
