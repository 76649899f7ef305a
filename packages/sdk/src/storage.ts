/**
 * Physical storage: raw bytes by key, untrusted. Everything above the barrier is ciphertext by the
 * time it reaches a Storage, except the few plain seal entries (see the design's storage layout).
 *
 * Keys are non-empty strings of Unicode text using `/` as a folder separator. The contract:
 * - `get` resolves `undefined` for a missing key (missing is not an error);
 * - `put` resolves only once the value is durable for that backend; a concurrent `get` sees either
 *   the old or the new value, never a mix;
 * - `delete` of a missing key succeeds;
 * - `list(prefix)` returns, for every key starting with `prefix`, the rest of the key up to and
 *   including the next `/` (so `"a"` for a key, `"dir/"` for a folder), without duplicates, sorted
 *   by `compareKeys`. Only keys are read, never values. An empty result is `[]`.
 * All methods are safe to call concurrently.
 */
export interface Storage {
  get(key: string, options?: StorageCallOptions): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array, options?: StorageCallOptions): Promise<void>;
  delete(key: string, options?: StorageCallOptions): Promise<void>;
  list(prefix: string, options?: StorageCallOptions): Promise<string[]>;
}

export interface StorageCallOptions {
  signal?: AbortSignal;
}

/** A storage that holds resources (files, connections) and must be closed. */
export interface ClosableStorage extends Storage {
  close(): Promise<void>;
}

export function isClosable(storage: Storage): storage is ClosableStorage {
  return typeof (storage as Partial<ClosableStorage>).close === 'function';
}

/**
 * The order of `list` results: by Unicode code point, which is also the byte order of the keys'
 * UTF-8 encoding (what etcd and most databases sort by). Plain `<` on JS strings compares UTF-16
 * code units and disagrees for characters above U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(i) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/** The `list` projection shared by backends that can enumerate keys: next segment, deduplicated, sorted. */
export function nextSegments(prefix: string, keys: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    if (rest === '') continue;
    const slash = rest.indexOf('/');
    out.add(slash === -1 ? rest : rest.slice(0, slash + 1));
  }
  return [...out].sort(compareKeys);
}

/** Rejects keys no backend should accept: empty, or not well-formed Unicode (lone surrogates). */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('storage key must be a non-empty string');
  if (!key.isWellFormed()) throw new TypeError('storage key must be well-formed Unicode');
}
