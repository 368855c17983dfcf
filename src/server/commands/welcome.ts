// What a client sees on registration: 001-005 with ISUPPORT, LUSERS and the MOTD (also sent on request).
import { RPL, ERR, SERVER_CASEMAPPING, CHANTYPES, isupportLines } from '../../protocol/index.js';
import { DEFAULT_MOTD, type ServerConfig } from '../config.js';
import { VERSION } from '../version.js';
import type { Request } from './request.js';

/** ISUPPORT tokens: every limit the server enforces, stated up front. */
export function isupportTokens(c: ServerConfig, hasStore: boolean) {
  const t = c.maxTargets;
  const history = hasStore
    ? ([
        ['CHATHISTORY', c.historyLimit],
        ['MSGREFTYPES', 'msgid,timestamp'],
      ] as const)
    : [];
  // Account extbans (`a:<account>`) exist only where accounts do.
  const accountExtban = hasStore ? ([['ACCOUNTEXTBAN', 'a']] as const) : [];
  return [
    ...accountExtban,
    ['AWAYLEN', c.awayLen],
    ['BOT', 'B'],
    ['CASEMAPPING', SERVER_CASEMAPPING],
    ['CHANLIMIT', `${CHANTYPES}:${c.maxChannels}`],
    ['CHANMODES', 'beI,k,l,Cimnstu'],
    ['CHANNELLEN', c.channelLen],
    ['CHANTYPES', CHANTYPES],
    ...history,
    ['ELIST', 'CMNTU'],
    ['EXCEPTS', 'e'],
    ['EXTBAN', hasStore ? ',am' : ',m'],
    ['HOSTLEN', 64],
    ['INVEX', 'I'],
    ['KICKLEN', c.kickLen],
    ['LINELEN', 512],
    ['MAXLIST', `beI:${c.maxBans}`],
    ['MAXTARGETS', t],
    ['MODES', 4],
    ['MONITOR', c.maxMonitor],
    ['NETWORK', c.network],
    ['NICKLEN', c.nickLen],
    ['PREFIX', '(ov)@+'],
    ['SAFELIST', true],
    ['STATUSMSG', '@+'],
    [
      'TARGMAX',
      `PRIVMSG:${t},NOTICE:${t},TAGMSG:${t},JOIN:${c.maxChannels},PART:${c.maxChannels},NAMES:${t},WHOIS:1,WHOWAS:${t},KICK:${t},MONITOR:${c.maxMonitor}`,
    ],
    ['TOPICLEN', c.topicLen],
    ['USERLEN', c.userLen],
    ['UTF8ONLY', true],
    ['WHOX', true],
  ] as const;
}

/** MODES=4: at most this many parameter modes in one MODE command. */
export const MAX_MODES = 4;

export function sendWelcome(req: Request): void {
  const { config } = req.server;
  const user = req.user;
  req.numeric(RPL.WELCOME, `Welcome to the ${config.network} IRC Network ${user.prefix}`);
  req.numeric(RPL.YOURHOST, `Your host is ${config.name}, running version ${VERSION}`);
  req.numeric(RPL.CREATED, `This server was created ${req.server.startedAt.toUTCString()}`);
  req.numeric(RPL.MYINFO, config.name, VERSION, 'BZiow', 'CIbeiklmnostuv', 'Ibeklov');
  sendIsupport(req);
  sendLusers(req);
  sendMotd(req);
}

/** The 005 lines' words per configuration snapshot: every registration sends the same ones. */
const isupportCache = new WeakMap<ServerConfig, string[][]>();

export function sendIsupport(req: Request): void {
  const config = req.server.config;
  let lines = isupportCache.get(config);
  if (lines === undefined) {
    lines = isupportLines(isupportTokens(config, req.server.store !== null));
    isupportCache.set(config, lines);
  }
  for (const words of lines) req.numeric(RPL.ISUPPORT, ...words, 'are supported by this server');
}

export function sendLusers(req: Request): void {
  const net = req.server.network;
  const users = net.userCount;
  const max = net.census.peakUsers;
  const invisible = net.census.invisibleCount;
  const opers = net.census.operCount;
  req.numeric(
    RPL.LUSERCLIENT,
    `There are ${users - invisible} users and ${invisible} invisible on 1 servers`,
  );
  req.numeric(RPL.LUSEROP, String(opers), 'operator(s) online');
  req.numeric(RPL.LUSERUNKNOWN, String(net.census.networkUnregistered), 'unknown connection(s)');
  req.numeric(RPL.LUSERCHANNELS, String(net.channelCount), 'channels formed');
  req.numeric(RPL.LUSERME, `I have ${users} clients and 0 servers`);
  req.numeric(
    RPL.LOCALUSERS,
    String(users),
    String(max),
    `Current local users ${users}, max ${max}`,
  );
  req.numeric(
    RPL.GLOBALUSERS,
    String(users),
    String(max),
    `Current global users ${users}, max ${max}`,
  );
}

export function sendMotd(req: Request): void {
  const { config } = req.server;
  const lines = config.motd ?? DEFAULT_MOTD;
  if (lines.length === 0) {
    req.numeric(ERR.NOMOTD, 'MOTD File is missing');
    return;
  }
  req.numeric(RPL.MOTDSTART, `- ${config.name} Message of the day - `);
  for (const line of lines) req.numeric(RPL.MOTD, `- ${line}`);
  req.numeric(RPL.ENDOFMOTD, 'End of /MOTD command.');
}
