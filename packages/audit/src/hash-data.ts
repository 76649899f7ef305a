import { isRfc3339Timestamp } from './rfc3339.js';

export interface CopyDataOptions {
  /** HMACs one string; absent with `log_raw`, when values pass through. */
  hash?: ((value: string) => string) | undefined;
  /** Keys whose string values stay in clear (the mount's `audit_non_hmac_*_keys`). */
  nonHmacKeys?: readonly string[] | undefined;
  /** `elide_list_responses` on a list response: top-level `keys` and `key_info` become their counts. */
  elideList?: boolean | undefined;
}

/**
 * A deep copy of request or response data as Vault logs it. Vault round-trips the data through
 * JSON before hashing, so the copy follows JSON's rules (toJSON, dropped undefined, non-finite
 * numbers as null) and its maps come out with sorted keys, as Go's encoder writes them. Every string
 * value is HMAC'd, at any depth and inside lists, except:
 * - strings that are RFC 3339 timestamps (Vault leaves those readable),
 * - values under a non-HMAC key: the nearest enclosing map key decides, so a list under an exempt
 *   key stays clear but a map under it does not (its own keys decide),
 * - map keys, which are never hashed.
 * Non-strings pass through. The caller's objects are never touched.
 */
export function copyAuditData(
  data: Readonly<Record<string, unknown>>,
  options: CopyDataOptions = {},
): Record<string, unknown> {
  const walker = new DataWalker(options.hash, new Set(options.nonHmacKeys ?? []));
  const source: Record<string, unknown> = options.elideList ? elideListData(data) : { ...data };
  return walker.object(source, '');
}

/** Vault's `doElideListResponseData`: counts instead of the listed names. */
function elideListData(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...data };
  if (Array.isArray(copy['keys'])) copy['keys'] = copy['keys'].length;
  const keyInfo = copy['key_info'];
  if (typeof keyInfo === 'object' && keyInfo !== null && !Array.isArray(keyInfo)) {
    copy['key_info'] = Object.keys(keyInfo).length;
  }
  return copy;
}

/** Marks a value JSON would leave out of an object (undefined, functions, symbols). */
const OMIT = Symbol('omit');

class DataWalker {
  readonly #hash: ((value: string) => string) | undefined;
  readonly #clearKeys: ReadonlySet<string>;
  /** Objects on the current path, to refuse cycles as JSON.stringify does. */
  readonly #path = new Set<object>();

  constructor(hash: ((value: string) => string) | undefined, clearKeys: ReadonlySet<string>) {
    this.#hash = hash;
    this.#clearKeys = clearKeys;
  }

  object(value: object, _key: string): Record<string, unknown> {
    this.#enter(value);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const copied = this.#value((value as Record<string, unknown>)[key], key, key);
      if (copied !== OMIT) out[key] = copied;
    }
    this.#path.delete(value);
    return out;
  }

  #array(value: readonly unknown[], mapKey: string): unknown[] {
    this.#enter(value);
    const out = value.map((item, index) => {
      const copied = this.#value(item, String(index), mapKey);
      return copied === OMIT ? null : copied;
    });
    this.#path.delete(value);
    return out;
  }

  /** `jsonKey` is what toJSON receives; `mapKey` the nearest enclosing map key (for exemptions). */
  #value(raw: unknown, jsonKey: string, mapKey: string): unknown {
    let value = raw;
    if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      value = (value as { toJSON: (key: string) => unknown }).toJSON(jsonKey);
    }
    switch (typeof value) {
      case 'string':
        return this.#string(value, mapKey);
      case 'number':
        return Number.isFinite(value) ? value : null;
      case 'boolean':
        return value;
      case 'bigint':
        throw new TypeError('audit data cannot contain a BigInt');
      case 'undefined':
      case 'function':
      case 'symbol':
        return OMIT;
      default:
        if (value === null) return null;
        return Array.isArray(value) ? this.#array(value, mapKey) : this.object(value as object, mapKey);
    }
  }

  #string(value: string, mapKey: string): string {
    if (!this.#hash || this.#clearKeys.has(mapKey) || isRfc3339Timestamp(value)) return value;
    return this.#hash(value);
  }

  #enter(value: object): void {
    if (this.#path.has(value)) throw new TypeError('audit data contains a circular reference');
    this.#path.add(value);
  }
}
