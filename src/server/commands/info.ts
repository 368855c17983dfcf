// About the server: MOTD, LUSERS, VERSION, TIME, INFO, LINKS, and HELP (HELPOP) generated from the command table.
import { ERR, RPL, matchMask } from '../../protocol/index.js';
import { serverInfo, servicesName } from '../config.js';
import { VERSION } from '../version.js';
import type { Request } from './request.js';
import type { CommandSpec } from './table.js';
import { sendIsupport, sendLusers, sendMotd } from './welcome.js';

/**
 * True if `target` (absent, or a server name or mask) names this server; otherwise 402 is sent.
 * There is only one server, so any other name is an error rather than something to forward.
 */
function isThisServer(req: Request, target: string | undefined): boolean {
  if (target === undefined || target === '' || matchMask(target, req.server.config.name)) {
    return true;
  }
  req.numeric(ERR.NOSUCHSERVER, target, 'No such server');
  return false;
}

// MOTD [<server>]
function motd(req: Request): void {
  if (isThisServer(req, req.params[0])) sendMotd(req);
}

// LUSERS [<mask> [<server>]]   (the mask is accepted and ignored: one server, one answer)
function lusers(req: Request): void {
  if (isThisServer(req, req.params[1])) sendLusers(req);
}

// VERSION [<server>]
function version(req: Request): void {
  if (!isThisServer(req, req.params[0])) return;
  const { name, network } = req.server.config;
  req.numeric(RPL.VERSION, VERSION, name, `parley chat server for the ${network} network`);
  sendIsupport(req);
}

// TIME [<server>]   (reply: <server> <unix seconds> :<human-readable UTC time>)
function time(req: Request): void {
  if (!isThisServer(req, req.params[0])) return;
  const now = req.now;
  req.numeric(
    RPL.TIME,
    req.server.config.name,
    String(Math.floor(now / 1000)),
    new Date(now).toUTCString(),
  );
}

// INFO [<target>]   (a server name, a mask of it, or a nick on it: all mean this server)
function info(req: Request): void {
  const target = req.params[0];
  if (target !== undefined && req.server.network.findUser(target) === undefined) {
    if (!isThisServer(req, target)) return;
  }
  const { server } = req;
  const lines = [
    `parley ${VERSION}: a command-line chat system that speaks IRC (RFC 1459/2812, IRCv3).`,
    'Written in TypeScript for Node.js; one event loop, non-blocking sockets.',
    'Source and documentation: the README of the parley repository.',
    `Running on Node.js ${process.version} since ${server.startedAt.toUTCString()}.`,
  ];
  for (const line of lines) req.numeric(RPL.INFO, line);
  req.numeric(RPL.ENDOFINFO, 'End of INFO list');
}

// LINKS [[<server>] <mask>]   (itself, and with a store its built-in services shown as a linked server)
function links(req: Request): void {
  const { config } = req.server;
  const { name } = config;
  const mask = req.params.at(-1) ?? '*';
  if (matchMask(mask, name)) req.numeric(RPL.LINKS, name, name, `0 ${serverInfo(config)}`);
  // NickServ and ChanServ speak from this name, as services on a linked server do elsewhere.
  const services = servicesName(config);
  if (req.server.store !== null && matchMask(mask, services)) {
    req.numeric(RPL.LINKS, services, name, `1 ${config.network} services (NickServ, ChanServ)`);
  }
  req.numeric(RPL.ENDOFLINKS, mask, 'End of /LINKS list');
}

// HELP [<command>]
function help(req: Request): void {
  const table = req.server.commands;
  const subject = req.params[0] ?? '';
  if (subject === '') {
    req.numeric(RPL.HELPSTART, '*', 'parley commands (HELP <command> for more on one):');
    for (const spec of table.all()) req.numeric(RPL.HELPTXT, '*', spec.syntax);
    req.numeric(RPL.ENDOFHELP, '*', 'End of /HELP');
    return;
  }
  const spec = table.get(subject.toUpperCase());
  if (spec === undefined) {
    req.numeric(ERR.HELPNOTFOUND, subject, 'No help available on this topic');
    return;
  }
  req.numeric(RPL.HELPSTART, spec.name, spec.syntax);
  req.numeric(RPL.HELPTXT, spec.name, spec.help);
  req.numeric(RPL.ENDOFHELP, spec.name, 'End of /HELP');
}

export const infoCommands: CommandSpec[] = [
  {
    name: 'MOTD',
    syntax: 'MOTD [<server>]',
    help: "Show the server's message of the day.",
    minParams: 0,
    handler: motd,
  },
  {
    name: 'LUSERS',
    syntax: 'LUSERS [<mask> [<server>]]',
    help: 'Show how many users, operators and channels there are.',
    minParams: 0,
    handler: lusers,
  },
  {
    name: 'VERSION',
    syntax: 'VERSION [<server>]',
    help: "Show the server's version and the features it supports (ISUPPORT).",
    minParams: 0,
    handler: version,
  },
  {
    name: 'TIME',
    syntax: 'TIME [<server>]',
    help: "Show the server's current time.",
    minParams: 0,
    handler: time,
  },
  {
    name: 'INFO',
    syntax: 'INFO [<server>]',
    help: 'Show what this server is: software, version and when it started.',
    minParams: 0,
    handler: info,
  },
  {
    name: 'LINKS',
    syntax: 'LINKS [[<server>] <mask>]',
    help: 'List the servers of this network (parley is one server).',
    minParams: 0,
    handler: links,
  },
  {
    name: 'HELP',
    syntax: 'HELP [<command>]',
    help: 'List every command with its syntax, or describe one command.',
    minParams: 0,
    handler: help,
  },
  {
    name: 'HELPOP',
    syntax: 'HELPOP [<command>]',
    help: 'The same as HELP (its name on some other servers).',
    minParams: 0,
    handler: help,
  },
];
