// Shared by the formatter's tests: a fixed clock, message builders, and the check that output holds no control but our own SGR codes.
import assert from 'node:assert/strict';
import type { ChatMessage } from '../../src/client/events.js';
import type { FormatOptions } from '../../src/client/ui/format.js';

/** 12:00:01 local time, whatever TZ the tests run in. */
export const T = new Date(2024, 0, 1, 12, 0, 1).getTime();
export const ESC = '\x1b';
export const RESET = `${ESC}[0m`;
const SGR = /\x1b\[[0-9;]*m/g;
/** Controls no output may hold once our SGR codes are taken out: C0, DEL, C1, bidi overrides. */
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export const OFF: FormatOptions = { color: false, me: 'me', current: '#lobby', now: T };
export const ON: FormatOptions = { ...OFF, color: true };

export function msg(over: Partial<ChatMessage>): ChatMessage {
  return {
    type: 'message',
    time: T,
    kind: 'privmsg',
    from: 'alice',
    target: '#lobby',
    conversation: '#lobby',
    text: 'hello',
    self: false,
    private: false,
    highlight: false,
    ...over,
  };
}

export const incoming = (over: Partial<ChatMessage> = {}): ChatMessage =>
  msg({ target: 'me', conversation: 'alice', private: true, highlight: true, text: 'hi', ...over });
export const outgoing = (over: Partial<ChatMessage> = {}): ChatMessage =>
  msg({ from: 'me', target: 'bob', conversation: 'bob', private: true, self: true, ...over });

/** Every escape is one of our SGR codes, no other control survives, and colour lines end reset. */
export function assertSafe(out: string, color: boolean): void {
  const rest = out.replace(SGR, '');
  assert.ok(!FORBIDDEN.test(rest), `control left in ${JSON.stringify(out)}`);
  if (!color) assert.ok(!out.includes(ESC), `escape in colourless ${JSON.stringify(out)}`);
  if (color && out.includes(ESC)) assert.ok(out.endsWith(RESET), `unclosed ${JSON.stringify(out)}`);
}

export const strip = (s: string): string => s.replace(SGR, '');
