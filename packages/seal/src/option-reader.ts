import { isPlainObject } from '@coffer/sdk';
import { SealConfigError, type SealConfigProblem } from './seal-config-error.js';
import { SecretValue } from './secret-value.js';

/** A seal stanza's body as the config parser found it (HCL or JSON). */
export type SealOptions = Readonly<Record<string, unknown>>;
/** The process environment, passed in: only the server's config module reads `process.env`. */
export type SealEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Where else a value may come from. Vault lets most seal variables override the stanza
 * (`envFirst`, first set one wins); a few (VAULT_ADDR, VAULT_TOKEN) only fill in when the stanza
 * says nothing (`envFallback`).
 */
export interface ValueSources {
  readonly envFirst?: readonly string[];
  readonly envFallback?: readonly string[];
}

// Go's strconv.ParseBool, which Vault uses for seal booleans.
const TRUE_WORDS = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/**
 * Reads one seal stanza: refuses unknown keys and badly typed values, overlays environment
 * variables, collects every problem and throws them together from `finish()`. Messages name keys
 * and variables, never values, since many of them are secrets.
 */
export class OptionReader {
  readonly #type: string;
  readonly #options: SealOptions;
  readonly #env: SealEnvironment;
  readonly #problems: SealConfigProblem[] = [];
  /** Not an object at all: one problem says so, and nothing is "missing" on top of it. */
  readonly #unreadable: boolean = false;

  constructor(sealType: string, options: unknown, env: SealEnvironment, knownKeys: readonly string[]) {
    this.#type = sealType;
    this.#env = env;
    if (!isPlainObject(options)) {
      this.#options = {};
      this.#unreadable = true;
      this.problem(undefined, 'the stanza body must be an object of options');
      return;
    }
    this.#options = options;
    const known = ['disabled', ...knownKeys];
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) this.problem(key, `unknown option "${key}" (known: ${known.join(', ')})`);
    }
  }

  problem(key: string | undefined, message: string): void {
    this.#problems.push({ key, message });
  }

  /** A string option; numbers are accepted (Vault decodes config weakly). */
  string(key: string, sources: ValueSources = {}): string | undefined {
    const fromEnv = this.#fromEnv(sources.envFirst);
    if (fromEnv !== undefined) return fromEnv;
    const raw = this.#options[key];
    if (raw !== undefined && raw !== null) {
      const value = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
      if (typeof value !== 'string') {
        this.problem(key, `"${key}" must be a string`);
        return undefined;
      }
      if (value.trim() === '') {
        this.problem(key, `"${key}" must not be empty`);
        return undefined;
      }
      return value.trim();
    }
    return this.#fromEnv(sources.envFallback);
  }

  /** A secret option: same rules as `string`, wrapped so that it never prints. */
  secret(key: string, sources: ValueSources = {}): SecretValue | undefined {
    const value = this.string(key, sources);
    return value === undefined ? undefined : new SecretValue(value);
  }

  boolean(key: string, sources: ValueSources = {}): boolean | undefined {
    const fromEnv = firstSet(this.#env, sources.envFirst);
    if (fromEnv) return this.#parseBoolean(fromEnv.value, key, `environment variable ${fromEnv.name}`);
    const raw = this.#options[key];
    if (raw !== undefined && raw !== null) {
      if (typeof raw === 'boolean') return raw;
      return this.#parseBoolean(typeof raw === 'number' ? String(raw) : raw, key, `"${key}"`);
    }
    const fallback = firstSet(this.#env, sources.envFallback);
    return fallback ? this.#parseBoolean(fallback.value, key, `environment variable ${fallback.name}`) : undefined;
  }

  /** `disabled = "true"` marks the old seal during a migration; every seal type accepts it. */
  disabled(): boolean {
    return this.boolean('disabled') ?? false;
  }

  /** Records a missing required value and says where it may be given. */
  require<T>(key: string, value: T | undefined, sources: ValueSources = {}): T | undefined {
    if (value !== undefined) return value;
    if (this.#unreadable || this.#problems.some((p) => p.key === key)) return undefined;
    const variables = [...(sources.envFirst ?? []), ...(sources.envFallback ?? [])];
    const where = variables.length ? ` (set it in the stanza or in ${variables.join(' or ')})` : '';
    this.problem(key, `"${key}" is required${where}`);
    return undefined;
  }

  /** Throws every problem found so far, or returns when there were none. */
  finish(): void {
    if (this.#problems.length) throw new SealConfigError(this.#type, this.#problems);
  }

  #fromEnv(names: readonly string[] | undefined): string | undefined {
    return firstSet(this.#env, names)?.value;
  }

  #parseBoolean(raw: unknown, key: string, what: string): boolean | undefined {
    const text = typeof raw === 'string' ? raw.trim() : undefined;
    if (text !== undefined && TRUE_WORDS.has(text)) return true;
    if (text !== undefined && FALSE_WORDS.has(text)) return false;
    this.problem(key, `${what} must be a boolean (true or false)`);
    return undefined;
  }
}

function firstSet(
  env: SealEnvironment,
  names: readonly string[] | undefined,
): { name: string; value: string } | undefined {
  for (const name of names ?? []) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** Checks that a value is an http(s) URL; the URL is not secret, but only its shape is reported. */
export function checkUrl(reader: OptionReader, key: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    reader.problem(key, `"${key}" must be an http:// or https:// URL`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    reader.problem(key, `"${key}" must be an http:// or https:// URL`);
    return undefined;
  }
  // Addresses are logged and shown by describe(); credentials belong in their own options.
  if (url.username || url.password) {
    reader.problem(key, `"${key}" must not carry credentials (user:password@)`);
    return undefined;
  }
  return value.replace(/\/+$/, '');
}
