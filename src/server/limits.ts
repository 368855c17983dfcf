// Wire-level limits that are fixed by the protocol rather than configured.

/** RFC 1459 §2.3: a line is at most 512 bytes including CR LF, so 510 before it. */
export const MAX_LINE_BODY = 510;
/** IRCv3 message-tags: the tag data of a client's line (between '@' and the space) is at most 4094
 * bytes; a longer one gets 417. (Servers may send 8191 bytes of tags, adding their own.) */
export const MAX_CLIENT_TAGS_BYTES = 4094;
/** draft/multiline: text bytes and lines one batch may hold (its CAP value says so). */
export const MULTILINE_MAX_BYTES = 4096;
export const MULTILINE_MAX_LINES = 100;
