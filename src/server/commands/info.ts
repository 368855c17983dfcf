// About the server: MOTD, LUSERS, VERSION, TIME, INFO, LINKS, and HELP (HELPOP) generated from the command table.
import { ERR, RPL, matchMask } from '../../protocol/index.js';
import { serverInfo } from '../config.js';
import { VERSION } from '../version.js';
import type { Context } from './context.js';
import type { CommandSpec } from './table.js';
import { sendIsupport, sendLusers, sendMotd } from './welcome.js';

/**
 * True if `target` (absent, or a server name or mask) names this server; otherwise 402 is sent.
 * There is only one server, so any other name is an error rather than something to forward.
 */
function isThisServer(ctx: Context, target: string | undefined): boolean {
  if (target === undefined || target === '' || matchMask(target, ctx.server.config.name)) {
    return true;
  }
  ctx.numeric(ERR.NOSUCHSERVER, target, 'No such server');
  return false;
}

// MOTD [<server>]
function motd(ctx: Context): void {
  if (isThisServer(ctx, ctx.params[0])) sendMotd(ctx);
}

// LUSERS [<mask> [<server>]]   (the mask is accepted and ignored: one server, one answer)
function lusers(ctx: Context): void {
  if (isThisServer(ctx, ctx.params[1])) sendLusers(ctx);
}

// VERSION [<server>]
function version(ctx: Context): void {
  if (!isThisServer(ctx, ctx.params[0])) return;
  const { name, network } = ctx.server.config;
  ctx.numeric(RPL.VERSION, VERSION, name, `parley chat server for the ${network} network`);
  sendIsupport(ctx);
}

// TIME [<server>]   (reply: <server> <unix seconds> :<human-readable UTC time>)
function time(ctx: Context): void {
  if (!isThisServer(ctx, ctx.params[0])) return;
  const now = ctx.now;
  ctx.numeric(
    RPL.TIME,
    ctx.server.config.name,
    String(Math.floor(now / 1000)),
    new Date(now).toUTCString(),
  );
}

// INFO [<target>]   (a server name, a mask of it, or a nick on it: all mean this server)
function info(ctx: Context): void {
  const target = ctx.params[0];
  if (target !== undefined && ctx.server.network.findUser(target) === undefined) {
    if (!isThisServer(ctx, target)) return;
  }
  const { server } = ctx;
  const lines = [
    `parley ${VERSION}: a command-line chat system that speaks IRC (RFC 1459/2812, IRCv3).`,
    'Written in TypeScript for Node.js; one event loop, non-blocking sockets.',
    'Source and documentation: the README of the parley repository.',
    `Running on Node.js ${process.version} since ${server.startedAt.toUTCString()}.`,
  ];
  for (const line of lines) ctx.numeric(RPL.INFO, line);
  ctx.numeric(RPL.ENDOFINFO, 'End of INFO list');
}

// LINKS [[<server>] <mask>]   (one server: itself, when the mask matches)
function links(ctx: Context): void {
  const { name } = ctx.server.config;
  const mask = ctx.params.at(-1) ?? '*';
  if (matchMask(mask, name))
    ctx.numeric(RPL.LINKS, name, name, `0 ${serverInfo(ctx.server.config)}`);
  ctx.numeric(RPL.ENDOFLINKS, mask, 'End of /LINKS list');
}

// HELP [<command>]
function help(ctx: Context): void {
  const table = ctx.server.commands;
  const subject = ctx.params[0] ?? '';
  if (subject === '') {
    ctx.numeric(RPL.HELPSTART, '*', 'parley commands (HELP <command> for more on one):');
    for (const spec of table.all()) ctx.numeric(RPL.HELPTXT, '*', spec.syntax);
    ctx.numeric(RPL.ENDOFHELP, '*', 'End of /HELP');
    return;
  }
  const spec = table.get(subject.toUpperCase());
  if (spec === undefined) {
    ctx.numeric(ERR.HELPNOTFOUND, subject, 'No help available on this topic');
    return;
  }
  ctx.numeric(RPL.HELPSTART, spec.name, spec.syntax);
  ctx.numeric(RPL.HELPTXT, spec.name, spec.help);
  ctx.numeric(RPL.ENDOFHELP, spec.name, 'End of /HELP');
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
