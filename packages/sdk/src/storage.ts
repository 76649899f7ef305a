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
 *
 * `batch` is optional: several writes to distinct keys in one request, all or nothing (etcd: one
 * transaction). Callers go through `writeBatch`, which falls back to the writes one by one, in
 * order, on a backend without it; so order the writes such that a prefix of them is a safe state.
 */
export interface Storage {
  get(key: string, options?: StorageCallOptions): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array, options?: StorageCallOptions): Promise<void>;
  delete(key: string, options?: StorageCallOptions): Promise<void>;
  list(prefix: string, options?: StorageCallOptions): Promise<string[]>;
  batch?(writes: readonly StorageWrite[], options?: StorageCallOptions): Promise<void>;
}

/** One write of a batch: a put, or a delete when `value` is undefined. */
export interface StorageWrite {
  key: string;
  value: Uint8Array | undefined;
}

/** Most writes one batch may hold (etcd's default limit on operations per transaction is 128). */
export const MAX_BATCH_WRITES = 64;

/**
 * Applies `writes` through `storage.batch` when the backend has it (one request, atomic), else one
 * by one in order. Keys must be distinct, since no backend agrees on what two writes to one key in
 * one request mean.
 */
export async function writeBatch(storage: Storage, writes: readonly StorageWrite[], options?: StorageCallOptions): Promise<void> {
  checkBatch(writes);
  if (storage.batch) return storage.batch(writes, options);
  for (const { key, value } of writes) {
    if (value === undefined) await storage.delete(key, options);
    else await storage.put(key, value, options);
  }
}

/** Refuses what no backend accepts in a batch: too many writes, a bad key, a key twice. */
export function checkBatch(writes: readonly StorageWrite[]): void {
  if (writes.length > MAX_BATCH_WRITES) throw new TypeError(`a storage batch holds at most ${MAX_BATCH_WRITES} writes, got ${writes.length}`);
  const seen = new Set<string>();
  for (const { key } of writes) {
    assertValidKey(key);
    if (seen.has(key)) throw new TypeError(`a storage batch writes "${key}" twice`);
    seen.add(key);
  }
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
