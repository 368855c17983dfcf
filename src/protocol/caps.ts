// IRCv3 capability names and standard-replies codes shared by server and client.

export const CAP = {
  CAP_NOTIFY: 'cap-notify',
  MESSAGE_TAGS: 'message-tags',
  SERVER_TIME: 'server-time',
  ECHO_MESSAGE: 'echo-message',
  MULTI_PREFIX: 'multi-prefix',
  USERHOST_IN_NAMES: 'userhost-in-names',
  AWAY_NOTIFY: 'away-notify',
  EXTENDED_MONITOR: 'extended-monitor',
  ACCOUNT_NOTIFY: 'account-notify',
  LABELED_RESPONSE: 'labeled-response',
  BATCH: 'batch',
  STANDARD_REPLIES: 'standard-replies',
  SETNAME: 'setname',
  CHANNEL_RENAME: 'draft/channel-rename',
  MULTILINE: 'draft/multiline',
  CHATHISTORY: 'draft/chathistory',
  ACCOUNT_TAG: 'account-tag',
  SASL: 'sasl',
  EXTENDED_JOIN: 'extended-join',
  ACCOUNT_REGISTRATION: 'draft/account-registration',
  READ_MARKER: 'draft/read-marker',
  MESSAGE_REDACTION: 'draft/message-redaction',
  /** Strict Transport Security: advertised only, never requested (ircv3.net/specs/extensions/sts). */
  STS: 'sts',
} as const;

export type CapName = (typeof CAP)[keyof typeof CAP];

/** FAIL/WARN/NOTE codes parley sends (IRCv3 standard-replies). */
export const FAIL_CODE = {
  INVALID_UTF8: 'INVALID_UTF8',
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  UNKNOWN_COMMAND: 'UNKNOWN_COMMAND',
} as const;

/** SASL mechanisms the server offers (the `sasl` cap value, 908 RPL_SASLMECHS). */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256'] as const;

/** draft/account-registration's FAIL codes (REGISTER and VERIFY). */
export const REGISTER_CODE = {
  ACCOUNT_EXISTS: 'ACCOUNT_EXISTS',
  BAD_ACCOUNT_NAME: 'BAD_ACCOUNT_NAME',
  NEED_NICK: 'NEED_NICK',
  COMPLETE_CONNECTION_REQUIRED: 'COMPLETE_CONNECTION_REQUIRED',
  ALREADY_AUTHENTICATED: 'ALREADY_AUTHENTICATED',
  WEAK_PASSWORD: 'WEAK_PASSWORD',
  UNACCEPTABLE_PASSWORD: 'UNACCEPTABLE_PASSWORD',
  INVALID_EMAIL: 'INVALID_EMAIL',
  TEMPORARILY_UNAVAILABLE: 'TEMPORARILY_UNAVAILABLE',
  INVALID_CODE: 'INVALID_CODE',
  ACCOUNT_ALREADY_VERIFIED: 'ACCOUNT_ALREADY_VERIFIED',
} as const;
