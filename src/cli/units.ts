// Parsing and checking the values operators type: on/off switches, byte sizes (64k, 1m), durations (30s, 2m), names and lines.
import { isValidChannel } from '../protocol/index.js';
import { OptionError } from './errors.js';

export function parseOnOff(flag: string, raw: string): boolean {
  const v = raw.toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(v)) return true;
  if (['off', 'false', 'no', '0'].includes(v)) return false;
  throw new OptionError(flag, `expected on or off, got '${raw}'`);
}

export function parseInteger(flag: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim()))
    throw new OptionError(flag, `expected a whole number, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max)
    throw new OptionError(flag, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/** `65536`, `64k`, `1m`, `1g` (powers of 1024). */
export function parseBytes(flag: string, raw: string, min: number): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = m ? BYTE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new OptionError(flag, `expected a size like 65536, 64k or 1m, got '${raw}'`);
  const n = Math.floor(Number(m[1]) * unit);
  if (n < min) throw new OptionError(flag, `must be at least ${min} bytes, got ${n}`);
  return n;
}

const TIME_UNITS: Record<string, number> = {
  '': 1000,
  s: 1000,
  ms: 1,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Seconds by default: `30`, `30s`, `500ms`, `2m`, `1h`, `30d`. Returns milliseconds. */
export function parseDuration(flag: string, raw: string, minMs: number): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = m ? TIME_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new OptionError(flag, `expected a duration like 30, 30s or 2m, got '${raw}'`);
  const ms = Math.round(Number(m[1]) * unit);
  if (ms < minMs) throw new OptionError(flag, `must be at least ${minMs / 1000}s, got '${raw}'`);
  return ms;
}

export function pick<T extends string>(flag: string, v: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new OptionError(flag, `expected one of ${allowed.join(', ')}, got '${v}'`);
}

export function checkToken(flag: string, v: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9.\-_]*$/.test(v) || v.length > 63) {
    throw new OptionError(flag, `'${v}' must be letters, digits, '.', '-' or '_' (at most 63)`);
  }
  return v;
}

/** A line of text for clients: printable, not empty, at most 200 characters. */
export function checkLine(flag: string, v: string): string {
  if (v.length > 200 || /[\u0000-\u001f\u007f]/.test(v)) {
    throw new OptionError(flag, `must be one line of at most 200 printable characters`);
  }
  return v;
}

export function checkInstanceName(v: string): string | null {
  if (v === '') return null;
  if (/[\u0000-\u001f\u007f]/.test(v) || Buffer.byteLength(v) > 63) {
    throw new OptionError(
      'advertise-name',
      `'${v}' must be at most 63 bytes, with no control characters`,
    );
  }
  return v;
}

/** The name's form; its length is checked against --channel-len once every option is read. */
export function checkChannel(v: string): string {
  if (v !== '' && !isValidChannel(v, 200)) {
    throw new OptionError(
      'default-channel',
      `'${v}' is not a channel name (like #lobby), or '' for none`,
    );
  }
  return v;
}
