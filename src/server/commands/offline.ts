// Private messages to registered users who are offline: accepted, kept, and delivered when they next log in.
//
// messaging.ts asks the store whether a nick nobody is using is an account (holding only the
// sender's later lines). If it is, sendOffline() stamps the message, keeps it in history (the
// conversation between the sender and the account) and in the account's inbox, and the sender
// gets its echo and labeled reply as for any message. deliverInbox() hands the inbox over at the
// account's next login, each message with its own time and msgid.
import type { Tags } from '../../protocol/index.js';
import type { AccountRecord, HistoryRecord } from '../../store/types.js';
import { CAPBIT } from '../capabilities.js';
import { replayLine } from '../history.js';
import type { User } from '../user.js';
import type { Request } from './request.js';

/** `verb` to `account`, none of whose users is online (or only a detached one: --always-on). */
export function sendOffline(
  req: Request,
  verb: 'PRIVMSG' | 'NOTICE',
  account: Pick<AccountRecord, 'key' | 'name'>,
  text: string,
  tags: Tags | null,
): void {
  const { server } = req;
  const user = req.user;
  const out = server.userEvent(user, verb, [account.name, text], tags);
  server.history?.offlineMessage(out, user, account.key, account.name);
  server.store?.accounts.addToInbox(account.key, out.stamp.msgid);
  if (req.client.has(CAPBIT.ECHO_MESSAGE)) req.event(out);
  server.network.deliver.toOtherSessions(user, req.client, out, 0);
  server.chatlog.privateMessage(out.stamp.ms, user.nick, [account.name], text, 'privmsg');
}

/** What waited in `user`'s inbox, delivered to the connection that has just logged in, each with its own time. */
export function deliverInbox(req: Request, user: User): void {
  const store = req.server.store;
  if (store === null || user.account === null) return;
  req.waitFor(
    store.accounts.takeInbox(user.account),
    (records: HistoryRecord[]) => {
      const caps = req.client.caps;
      for (const r of records) {
        const line = replayLine(r, caps, null);
        if (line !== null) req.client.conn.sendText(line);
      }
    },
    () => {}, // left in the inbox for the next login
  );
}
