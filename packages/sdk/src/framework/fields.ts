import { CofferError } from '../errors.js';
import { parseDurationSeconds } from '../duration.js';

/**
 * Field types of engine paths, as Vault's framework has them. Request data arrives as JSON (typed)
 * or as query strings (all text), so every parser accepts the textual form too.
 */
export type FieldType =
  | 'string'
  | 'int'
  | 'bool'
  | 'duration' // seconds; accepts 30, "30", "1h30m"
  | 'map' // any JSON object
  | 'string-map' // object whose values are strings
  | 'strings' // array of strings, or one comma-separated string
  | 'int-list' // array of integers, or one comma-separated string
  | 'any';

export interface FieldSchema {
  type: FieldType;
  description?: string;
  /** Applied when the field is absent. */
  default?: unknown;
  required?: boolean;
  /** Never logged; HMAC'd in audit entries. */
  sensitive?: boolean;
}

export type Fields = Record<string, FieldSchema>;

type ValueOf<T extends FieldType> = T extends 'string'
  ? string
  : T extends 'int' | 'duration'
    ? number
    : T extends 'bool'
      ? boolean
      : T extends 'map'
        ? Record<string, unknown>
        : T extends 'string-map'
          ? Record<string, string>
          : T extends 'strings'
            ? string[]
            : T extends 'int-list'
              ? number[]
              : unknown;

/** The parsed values of a path's fields: absent fields (without default) are `undefined`. */
export type FieldValues<F extends Fields> = { [K in keyof F]?: ValueOf<F[K]['type']> };

/** Parses the declared fields out of raw request data; unknown keys are ignored, as in Vault. */
export function parseFields<F extends Fields>(fields: F, data: Record<string, unknown>): FieldValues<F> {
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(fields)) {
    const raw = Object.hasOwn(data, name) ? data[name] : undefined;
    if (raw === undefined || raw === null) {
      if (schema.default !== undefined) out[name] = structuredClone(schema.default);
      else if (schema.required) throw new CofferError('invalid_request', `missing required field "${name}"`);
      continue;
    }
    out[name] = parseValue(name, schema.type, raw);
  }
  return out as FieldValues<F>;
}

function parseValue(name: string, type: FieldType, raw: unknown): unknown {
  const bad = (what: string) => new CofferError('invalid_request', `field "${name}" must be ${what}`);
  switch (type) {
    case 'string':
      if (typeof raw === 'string') return raw;
      if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
      throw bad('a string');
    case 'int': {
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw bad('an integer');
      return n;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1' || raw === 1) return true;
      if (raw === 'false' || raw === '0' || raw === 0 || raw === '') return false;
      throw bad('a boolean');
    case 'duration':
      return parseDurationSeconds(raw, `field "${name}"`);
    case 'map':
      if (isPlainObject(raw)) return raw;
      throw bad('an object');
    case 'string-map':
      if (isPlainObject(raw) && Object.values(raw).every((v) => typeof v === 'string')) return raw;
      throw bad('an object of strings');
    case 'strings':
      if (typeof raw === 'string') return raw === '' ? [] : raw.split(',').map((s) => s.trim());
      if (Array.isArray(raw) && raw.every((v) => typeof v === 'string')) return raw;
      throw bad('a list of strings');
    case 'int-list': {
      const items = typeof raw === 'string' ? (raw === '' ? [] : raw.split(',')) : raw;
      if (!Array.isArray(items)) throw bad('a list of integers');
      return items.map((item) => {
        const n = typeof item === 'string' && /^-?\d+$/.test(item.trim()) ? Number(item) : item;
        if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw bad('a list of integers');
        return n;
      });
    }
    case 'any':
      return raw;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
