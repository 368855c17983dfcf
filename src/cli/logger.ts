// The levelled diagnostics logger on stderr: pino, as readable text for people or JSON for machines.
import { pino } from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from '../server/log.js';

export function makeLogger(format: 'text' | 'json', level: string): Logger {
  if (format === 'json')
    return pino({ level, base: undefined }, pino.destination({ dest: 2, sync: false }));
  const stream = pretty({
    destination: 2,
    colorize: process.stderr.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
    singleLine: true,
    sync: true,
  });
  return pino({ level, base: undefined }, stream);
}
