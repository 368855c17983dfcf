// The general path for a client's line (direct.ts is the fast one): parsed, refused when it is not IRC (a NUL, not UTF-8, an HTTP request, too long), else run through the command table.
import {
  ERR,
  FAIL_CODE,
  isParseError,
  parse,
  stripControls,
  type Message,
} from '../protocol/index.js';
import type { Client } from './client.js';
import { Request } from './commands/request.js';
import type { Server } from './server.js';

/** Stands for a line that could not be parsed, so replies to it name the command `*`. */
const UNPARSED: Readonly<Message> = Object.freeze({
  tags: null,
  source: null,
  command: '*',
  params: [],
});

const HTTP_METHOD = /^(GET|POST|HEAD|PUT|DELETE|OPTIONS|CONNECT|PATCH)$/;

/** Handle one line from `client`; `utf8`: its bytes were valid UTF-8. */
export function dispatchLine(server: Server, client: Client, line: string, utf8: boolean): void {
  const msg = parse(line);
  if (isParseError(msg)) {
    if (msg.error === 'EMPTY') return;
    // A command word that is not one still gets its 421 labeled, when its tags parsed.
    const req = new Request(server, client, msg.tags ? { ...UNPARSED, tags: msg.tags } : UNPARSED);
    if (msg.error === 'NUL')
      req.standard('FAIL', FAIL_CODE.INVALID_MESSAGE, 'Line contains a NUL byte');
    else req.numeric(ERR.UNKNOWNCOMMAND, commandWord(line), 'Unknown command');
    req.finish();
    return;
  }
  const req = new Request(server, client, msg);
  if (!utf8) {
    req.standard('FAIL', FAIL_CODE.INVALID_UTF8, 'Message rejected: text must be UTF-8');
    req.finish();
    return;
  }
  if (client.user === null && HTTP_METHOD.test(msg.command) && msg.params[1]?.startsWith('HTTP/')) {
    server.disconnect(client, 'This is an IRC server, not an HTTP server');
    return;
  }
  client.pingSentAt = 0; // any line proves the link is alive
  // In a cluster, a change to shared state runs on every node in one order (replica.ts).
  if (server.cluster?.replica.takes(req) === true) return req.finish();
  server.commands.run(req);
  req.finish();
}

/** A line from `client` over 512 bytes (or 4094 bytes of tags): 417. */
export function refuseLongLine(server: Server, client: Client): void {
  const req = new Request(server, client, UNPARSED);
  req.numeric(ERR.INPUTTOOLONG, 'Input line was too long');
}

/** The command word of an unparseable line (after its tags and source), made safe to echo in 421. */
function commandWord(line: string): string {
  const words = line.split(' ').filter((w) => w !== '');
  let k = 0;
  if (words[k]?.startsWith('@')) k++;
  if (words[k]?.startsWith(':')) k++;
  const word = stripControls(words[k] ?? '').slice(0, 32);
  return word.length > 0 ? word : '*';
}
