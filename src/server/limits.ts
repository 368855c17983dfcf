// Wire-level limits that are fixed by the protocol rather than configured.

/** RFC 1459 §2.3: a line is at most 512 bytes including CR LF, so 510 before it. */
export const MAX_LINE_BODY = 510;
/** IRCv3 message-tags: the tag section of a client's line may take up to 4094 bytes... servers
 * accept 8191 bytes of tags including the leading '@' and trailing space. */
export const MAX_TAGS_BYTES = 8191;
/** Client-only tags a client may send: 4094 bytes, per the message-tags spec. */
export const MAX_CLIENT_TAGS_BYTES = 4094;
