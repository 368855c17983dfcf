// What one simulated soak user is: its slot (nick, channels, what it last saw, its message numbers) and the state of its current connection.
import type { Conn } from './loadgen.js';
import type { HistoryEntry, Msg, Watch } from './soak-ledger.js';

/** What every soak client negotiates before NICK and USER. */
export const CAPS =
  'batch draft/chathistory echo-message labeled-response message-tags server-time';

/** How the simulated users behave; times are means of exponential waits, in seconds. */
export interface Behaviour {
  clients: number;
  channels: number;
  /** Channels each client joins. */
  perClient: number;
  /** Share of clients that stay connected and in their channels from start to end. */
  keepers: number;
  /** Between two messages of one client. */
  chatS: number;
  /** Share of messages sent privately to another connected client. */
  privateShare: number;
  /** Between a client's arrival and its next leave (a QUIT, a dropped connection or a PART). */
  sessionS: number;
  /** Offline before reconnecting. */
  offlineS: number;
  /** Out of a channel it PARTed before joining it again. */
  partS: number;
  /** Between two PING fences of a connection (each checks what arrived so far). */
  fenceS: number;
  /** Messages per CHATHISTORY request: the server's --history-limit. */
  historyLimit: number;
}

export interface ClientStats {
  connects: number;
  quits: number;
  drops: number;
  parts: number;
  /** Connections the server closed, or that failed, without being asked to. */
  cut: number;
  /** Live messages in a conversation the receiver was not in. */
  stray: number;
  /** History answers never finished (their connection was cut). */
  historyAbandoned: number;
  /** Error replies by numeric (with its name) or `FAIL <command> <code>`; connection errors by code. */
  errors: Record<string, number>;
}

const WORDS = 'the soak keeps talking while people come and go and history fills up slowly'.split(
  ' ',
);

/** The text of message `idx`: its number, then 3 to 26 words (so lines differ in length). */
export function textOf(idx: number): string {
  let text = `soak ${idx}`;
  const n = 3 + ((idx * 7919) % 24);
  for (let k = 0; k < n; k++) text += ' ' + WORDS[(idx + k * 5) % WORDS.length];
  return text;
}

export interface HistoryAsk {
  conv: number;
  after: Msg;
  joinedAt: number;
  askedAt: number;
  entries: HistoryEntry[];
  /** Lines in the current page, and its batch id once the answer starts. */
  page: number;
  batch: string | null;
}

export class Session {
  registeredAt = NaN;
  readonly watches = new Map<number, Watch>();
  /** Channels with a PART written (and when), the stay open until its echo. */
  readonly parting = new Map<number, number>();
  inbox: Watch | null = null;
  /** The highest sequence number seen from each sender slot (-1: none yet). */
  readonly lastSeq: Int32Array;
  readonly labels = new Map<string, Msg>();
  /** CHATHISTORY requests in the order the server answers them. */
  asks: HistoryAsk[] = [];
  fence: { token: string; at: number } | null = null;
  /** When the last fence came back: the stay is known complete up to then. */
  fencedTo = -Infinity;
  leaving: 'quit' | 'drop' | null = null;
  leftAt = NaN;
  nextChatAt = Infinity;
  nextChurnAt = Infinity;
  nextFenceAt = Infinity;
  constructor(
    readonly conn: Conn,
    clients: number,
  ) {
    this.lastSeq = new Int32Array(clients).fill(-1);
  }
}

export class Slot {
  session: Session | null = null;
  seq = 0;
  reconnectAt = 0;
  /** Per channel, the last message it saw live: where its catch-up after a rejoin starts. */
  readonly lastSeen = new Map<number, Msg>();
  readonly rejoinAt = new Map<number, number>();
  constructor(
    readonly index: number,
    readonly nick: string,
    readonly channels: number[],
    readonly keeper: boolean,
  ) {}
}

export const channelName = (c: number): string => `#soak${c}`;
