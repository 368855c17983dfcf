// What the client session tells the UI: typed events, in the order the server sent them. No terminal here.

export type ConnectionState =
  | 'connecting' // TCP/TLS connect in progress
  | 'registering' // connected; CAP/NICK/USER exchange under way
  | 'connected' // registered and the welcome burst is over (001 … end of MOTD); chatting
  | 'disconnected' // link lost or closed; see `reason`
  | 'reconnecting'; // waiting `retryInMs` before the next attempt

export type MessageKind = 'privmsg' | 'notice' | 'action';

/** A chat message, already decoded: CTCP ACTION is `kind: 'action'` with the bare text. */
export interface ChatMessage {
  type: 'message';
  /** Server time (server-time tag) or local receipt time, epoch ms. */
  time: number;
  kind: MessageKind;
  /** Sender nick. (Notices from a server, not a person, arrive as 'info' events instead.) */
  from: string;
  /** Where it was addressed: a channel name, or our own nick for a private message to us. */
  target: string;
  /**
   * The conversation it belongs to: the channel for channel messages, the other person's nick for
   * private ones (the recipient's when it is our own echoed message).
   */
  conversation: string;
  text: string;
  /** True when we sent it (echo-message or local echo). */
  self: boolean;
  /** True when addressed to a nick rather than a channel. */
  private: boolean;
  /** True when it mentions our nick (or is private and not from us). */
  highlight: boolean;
  msgid?: string;
  /** Replayed from the server's history (draft/chathistory catch-up), not delivered live. */
  history?: boolean;
}

export type SessionEvent =
  | {
      type: 'state';
      state: ConnectionState;
      reason?: string;
      retryInMs?: number;
      attempt?: number;
      /** On 'disconnected': no reconnect will follow (close(), quit(), or a fatal error such as a bad password). */
      final?: boolean;
    }
  /** Registration done: our nick (possibly an alternative when the wanted one was taken) and server name. */
  | { type: 'registered'; nick: string; server: string; network: string | null }
  | ChatMessage
  | { type: 'join'; time: number; nick: string; channel: string; self: boolean }
  | { type: 'part'; time: number; nick: string; channel: string; reason: string; self: boolean }
  | {
      type: 'kick';
      time: number;
      by: string;
      nick: string;
      channel: string;
      reason: string;
      self: boolean;
    }
  | { type: 'quit'; time: number; nick: string; reason: string; channels: string[] }
  | { type: 'nick'; time: number; from: string; to: string; self: boolean; channels: string[] }
  | { type: 'topic'; time: number; channel: string; topic: string; by: string | null }
  | { type: 'mode'; time: number; target: string; by: string; modes: string[] }
  /** The complete NAMES list: bare nicks, and each one's status symbols at the same index ('@', '+', '@+', ''). */
  | { type: 'names'; channel: string; nicks: string[]; prefixes?: string[] }
  | { type: 'away'; time: number; nick: string; message: string | null }
  | { type: 'invite'; time: number; from: string; channel: string }
  /** Informational server replies (WHOIS, WHO, LIST, MOTD, HELP...) as plain text lines. */
  /** `hang`: cells into `text` where its wrapped rows go on (a table's column), if not the start. */
  | { type: 'info'; time: number; text: string; conversation: string | null; hang?: number }
  /** A refusal or error the user should read (numerics 4xx/5xx, FAIL, ERROR). */
  | {
      type: 'error';
      time: number;
      text: string;
      code: string;
      conversation: string | null;
      /** The channel a numeric is about, joined or not (a refused JOIN names it). */
      channel?: string | null;
    }
  /**
   * MARKREAD (draft/read-marker): how far the account has read `target`, epoch ms (null: no
   * marker set). `self`: it is our own MARKREAD coming back, not another client's reading.
   */
  | { type: 'readmarker'; target: string; marker: number | null; self: boolean }
  /** Round-trip time of the last lag check, ms. */
  | { type: 'lag'; ms: number };
