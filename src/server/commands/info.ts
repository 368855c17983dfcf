// placeholder: filled in by a later change.
import type { CommandSpec } from './table.js';

export const infoCommands: CommandSpec[] = [];
