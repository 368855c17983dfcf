// Shared set-up of the pipe store tests: a PipeStore on a new file for one test, a conversation's whole history, and appendPrivate with its text as bytes inside a line.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { openPipeStore, type PipeOptions, type PipeStore } from '../../src/store/pipe.js';
import { Party, type HistoryRecord } from '../../src/store/types.js';
import { makeTemp, rmTemp } from './kit.js';
import { cont, within, writerOf } from './writer-control.js';

/** Run `body` on a PipeStore on a new file, then close it (a stopped writer let go first). */
export async function withPipe(
  options: PipeOptions,
  body: (store: PipeStore, writer: ChildProcess, file: string) => Promise<void>,
): Promise<void> {
  const dir = makeTemp();
  const file = path.join(dir, 'parley.db');
  try {
    const store = await openPipeStore(file, false, options);
    const writer = writerOf(store);
    try {
      await body(store, writer, file);
    } finally {
      cont(writer);
      await within(store.close(), 'close');
    }
  } finally {
    rmTemp(dir);
  }
}

/** The whole of a conversation, oldest first. */
export function all(store: PipeStore, conversation: string): Promise<HistoryRecord[]> {
  return store.history.latest(conversation, null, 1000);
}

/** `text` as the middle of an IRC line's bytes: [buffer, start, end] of it. */
export function inLine(text: string): [Buffer, number, number] {
  const prefix = Buffer.from('PRIVMSG bob :');
  const bytes = Buffer.concat([prefix, Buffer.from(text), Buffer.from('\r\n')]);
  return [bytes, prefix.length, bytes.length - 2];
}

/**
 * appendPrivate() of `r`, a plain PRIVMSG whose conversation is its two parties' history ids
 * (sender first), its text given as bytes inside a line; `parties` reused when given.
 */
export function appendPrivate(store: PipeStore, r: HistoryRecord, parties?: [Party, Party]): void {
  const space = r.conversation.indexOf(' ');
  assert.ok(space > 0 && r.command === 'PRIVMSG' && r.tags === '', 'a private record');
  const [from, to] = parties ?? [
    new Party(r.conversation.slice(0, space), 'sender', r.source, r.account),
    new Party(r.conversation.slice(space + 1), r.target, 'someone!u@h', null),
  ];
  store.history.appendPrivate!(Buffer.from(r.msgid), r.time, from, to, ...inLine(r.text));
}
