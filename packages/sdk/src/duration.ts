import { CofferError } from './errors.js';

const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
};

/**
 * Parses a duration as Vault does: a number (seconds), a string of digits (seconds), or a Go-style
 * duration such as `1h30m`, `90s`, `7d`. Returns whole seconds, rounded down. Negative values and
 * garbage are refused with an `invalid_request` naming the input's field.
 */
export function parseDurationSeconds(value: unknown, field = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw badDuration(field);
    return Math.floor(value);
  }
  if (typeof value !== 'string') throw badDuration(field);
  const text = value.trim();
  if (text === '') return 0;
  if (/^\d+$/.test(text)) return Number(text);
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const match = part.exec(text);
    if (!match) throw badDuration(field);
    total += Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number);
    at = part.lastIndex;
  }
  if (!Number.isFinite(total)) throw badDuration(field);
  return Math.floor(total);
}

/** Formats seconds the way Vault prints durations in JSON (`768h0m0s`, `0s`). */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

function badDuration(field: string): CofferError {
  return new CofferError('invalid_request', `${field}: invalid duration; use seconds or a duration such as "1h30m"`);
}
