import { parseDurationSeconds } from '@coffer/sdk';

/** The outcome of checking one raw value: the typed value, or what was expected (no value echoed). */
export type Checked<T> = { ok: true; value: T } | { ok: false; expected: string };

/** One config key: how to read it, and whether it must be there. */
export interface Field<T> {
  check(raw: unknown): Checked<T>;
  required?: boolean;
  /** Used when the key is absent. */
  default?: T;
  /** Secrets (KMS credentials, tokens): errors never quote their value. */
  sensitive?: boolean;
}

export type Fields = Record<string, Field<unknown>>;

/** The typed values of a set of fields; a key is present when it was given or has a default. */
export type FieldValues<F extends Fields> = { [K in keyof F]?: F[K] extends Field<infer T> ? T : never };

interface FieldOptions<T> {
  required?: boolean;
  default?: T;
  sensitive?: boolean;
}

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const expected = <T>(what: string): Checked<T> => ({ ok: false, expected: what });

function field<T>(check: (raw: unknown) => Checked<T>, options: FieldOptions<T>): Field<T> {
  return { check, ...options };
}

/** Vault decodes config weakly: numbers are accepted where strings are expected. */
export function stringField(options: FieldOptions<string> & { allowEmpty?: boolean } = {}): Field<string> {
  const { allowEmpty = false, ...rest } = options;
  return field((raw) => {
    const value = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
    if (typeof value !== 'string') return expected('must be a string');
    if (!allowEmpty && value.trim() === '') return expected('must not be empty');
    return ok(value);
  }, rest);
}

// Go's strconv.ParseBool, which Vault uses for config booleans.
const TRUE_WORDS = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** `true`, `"true"`, `1` and Go's other spellings. */
export function booleanField(options: FieldOptions<boolean> = {}): Field<boolean> {
  return field((raw) => {
    if (typeof raw === 'boolean') return ok(raw);
    const text = typeof raw === 'number' ? String(raw) : raw;
    if (typeof text === 'string' && TRUE_WORDS.has(text.trim())) return ok(true);
    if (typeof text === 'string' && FALSE_WORDS.has(text.trim())) return ok(false);
    return expected('must be a boolean (true or false)');
  }, options);
}

/** A whole number, given as a number or a string of digits. */
export function integerField(options: FieldOptions<number> & { min?: number; max?: number } = {}): Field<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER, ...rest } = options;
  return field((raw) => {
    const value = typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return expected('must be a whole number');
    if (value < min) return expected(`must be at least ${min}`);
    if (value > max) return expected(`must be at most ${max}`);
    return ok(value);
  }, rest);
}

/** A duration in whole seconds: `"768h"`, `"1h30m"`, `"90s"`, or a number of seconds. */
export function durationField(options: FieldOptions<number> = {}): Field<number> {
  return field((raw) => {
    if (typeof raw === 'string' && raw.trim() === '') return expected('must not be empty');
    try {
      return ok(parseDurationSeconds(raw));
    } catch {
      return expected('must be a duration such as "768h" or "1h30m", or a number of seconds');
    }
  }, options);
}

/** One of a fixed set of words, compared case-insensitively; `aliases` maps other spellings. */
export function choiceField<const T extends string>(
  choices: readonly T[],
  options: FieldOptions<T> & { aliases?: Record<string, T> } = {},
): Field<T> {
  const { aliases = {}, ...rest } = options;
  return field((raw) => {
    if (typeof raw === 'string') {
      const word = raw.trim().toLowerCase();
      const alias = Object.hasOwn(aliases, word) ? aliases[word] : undefined;
      const found = choices.find((choice) => choice === word) ?? alias;
      if (found !== undefined) return ok(found);
    }
    return expected(`must be one of ${choices.join(', ')}`);
  }, rest);
}

/** An absolute http(s) URL, as Vault wants for `api_addr` and `cluster_addr`. */
export function urlField(options: FieldOptions<string> = {}): Field<string> {
  return field((raw) => {
    if (typeof raw === 'string' && URL.canParse(raw.trim())) {
      const url = new URL(raw.trim());
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return ok(raw.trim());
    }
    return expected('must be a full URL such as "https://coffer.example.com:8200"');
  }, options);
}

/** Quotes a bad value for an error message, shortened so a stray blob cannot flood the log. */
export function showValue(raw: unknown): string {
  const text = JSON.stringify(raw) ?? String(raw);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
