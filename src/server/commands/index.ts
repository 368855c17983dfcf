// Every command family's table entries, gathered for the command table.
import { accountCommands } from './accounts.js';
import { channelCommands } from './channels.js';
import { historyCommands } from './history.js';
import { chanservCommands } from './chanserv.js';
import { infoCommands } from './info.js';
import { markCommands } from './marks.js';
import { messagingCommands } from './messaging.js';
import { modeCommands } from './modes.js';
import { monitorCommands } from './monitor.js';
import { multilineCommands } from './multiline.js';
import { namesCommands } from './names.js';
import { nickservCommands } from './nickserv.js';
import { operCommands } from './opers.js';
import { registrationCommands } from './registration.js';
import { saslCommands } from './sasl.js';
import type { CommandSpec } from './table.js';
import { userCommands } from './users.js';

export const allCommands: CommandSpec[] = [
  ...registrationCommands,
  ...messagingCommands,
  ...channelCommands,
  ...namesCommands,
  ...modeCommands,
  ...userCommands,
  ...infoCommands,
  ...operCommands,
  ...monitorCommands,
  ...multilineCommands,
  ...historyCommands,
  ...markCommands,
  ...chanservCommands,
  ...saslCommands,
  ...accountCommands,
  ...nickservCommands,
];
