import type { Located } from './located.js';
import type { Problems } from './problems.js';

/**
 * One stanza of the config being read: typed getters that record a `file:line` problem for a bad
 * value (and return undefined) instead of throwing, so every mistake is reported in one pass.
 */
export class Section {
  constructor(
    readonly loc: Located,
    readonly problems: Problems,
    /** How messages name the stanza: `vault`, `auto_auth.method`, `template`. */
    readonly name: string,
    readonly warnings: string[],
  ) {}

  /** Refuses unknown keys; keys in `ignored` are recognised Vault settings we do not implement. */
  checkKeys(allowed: readonly string[], ignored: readonly string[] = []): void {
    for (const key of this.loc.keys()) {
      if (allowed.includes(key)) continue;
      const line = this.loc.keyLine(key);
      if (ignored.includes(key)) {
        this.warnings.push(`${this.problems.where(line)}: ${this.#label(key)} is not supported by coffer agent; ignored`);
      } else {
        const hint = allowed.length ? ` (expected one of: ${allowed.join(', ')})` : '';
        this.problems.add(line, `unknown key ${this.#label(key)}${hint}`);
      }
    }
  }

  #label(key: string): string {
    return this.name === '' ? `"${key}"` : `"${this.name}.${key}"`;
  }

  bad(key: string, message: string): undefined {
    this.problems.add(this.loc.keyLine(key), `${this.#label(key)}: ${message}`);
    return undefined;
  }

  missing(key: string): undefined {
    this.problems.add(this.loc.line, `${this.#label(key)} is required`);
    return undefined;
  }

  sub(key: string): Section | undefined {
    const loc = this.loc.get(key);
    if (!loc) return undefined;
    if (!loc.isObject()) return this.bad(key, 'must be a block or an object');
    return new Section(loc, this.problems, this.name === '' ? key : `${this.name}.${key}`, this.warnings);
  }

  string(key: string, required = false): string | undefined {
    const loc = this.loc.get(key);
    if (!loc) return required ? this.missing(key) : undefined;
    const v = loc.value;
    if (typeof v === 'string') {
      if (v === '' && required) return this.bad(key, 'must not be empty');
      return v;
    }
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return this.bad(key, `must be a string, not ${describe(v)}`);
  }

  bool(key: string, fallback: boolean): boolean {
    const loc = this.loc.get(key);
    if (!loc) return fallback;
    const v = loc.value;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false|1|0)$/i.test(v.trim())) return /^(true|1)$/i.test(v.trim());
    this.bad(key, `must be true or false, not ${JSON.stringify(v)}`);
    return fallback;
  }

  /** A whole number within bounds (Vault writes these as numbers or numeric strings). */
  integer(key: string, fallback: number, min = 0): number {
    const loc = this.loc.get(key);
    if (!loc) return fallback;
    const n = typeof loc.value === 'string' && loc.value.trim() !== '' ? Number(loc.value) : loc.value;
    if (typeof n === 'number' && Number.isInteger(n) && n >= min) return n;
    this.bad(key, `must be a whole number of at least ${min}, not ${JSON.stringify(loc.value)}`);
    return fallback;
  }

  fraction(key: string, fallback: number): number {
    const loc = this.loc.get(key);
    if (!loc) return fallback;
    const n = typeof loc.value === 'string' ? Number(loc.value) : loc.value;
    if (typeof n === 'number' && n > 0 && n < 1) return n;
    this.bad(key, `must be a number between 0 and 1 (exclusive), not ${JSON.stringify(loc.value)}`);
    return fallback;
  }

  /** `5m`, `1h30m`, `250ms`, or a number of seconds; milliseconds out. */
  durationMs(key: string, fallback: number): number {
    const loc = this.loc.get(key);
    if (!loc) return fallback;
    const ms = parseDurationMs(loc.value);
    if (ms !== undefined) return ms;
    this.bad(key, `invalid duration ${JSON.stringify(loc.value)}; use seconds or a duration such as "30s", "5m" or "1h30m"`);
    return fallback;
  }

  /**
   * File permission bits as Vault reads them: `0640` written bare in HCL is octal (hcl2json
   * turns it into 640, so the raw text decides), a string is octal, a JSON number is decimal.
   */
  mode(key: string): number | undefined {
    const loc = this.loc.get(key);
    if (!loc) return undefined;
    const v = loc.value;
    let mode: number | undefined;
    if (typeof v === 'string' && /^0?[0-7]{1,4}$/.test(v.trim())) mode = parseInt(v.trim(), 8);
    else if (typeof v === 'number' && Number.isInteger(v)) {
      const raw = loc.raw?.trim();
      mode = raw !== undefined && /^0[0-7]+$/.test(raw) ? parseInt(raw, 8) : v;
    }
    if (mode === undefined || mode < 0 || mode > 0o7777) {
      return this.bad(key, `must be an octal file mode such as "0640", not ${JSON.stringify(v)}`);
    }
    return mode;
  }
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/y;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    at = part.lastIndex;
  }
  return Math.round(total);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a block';
  return typeof v;
}
