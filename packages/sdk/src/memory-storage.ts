import { assertValidKey, checkBatch, compareKeys, type Storage, type StorageWrite } from './storage.js';

/**
 * Storage in a Map: for tests and `server --dev`. Values are copied in and out, so callers cannot
 * mutate what is stored. A folder index keeps `list` proportional to the folder listed, not to the
 * whole store (KV v2 lists a secret's versions on every write past `max_versions`).
 */
export class InMemoryStorage implements Storage {
  readonly #entries = new Map<string, Uint8Array>();
  /** folder ("" or ending in "/") → its direct children ("name" or "name/") → keys beneath them. */
  readonly #folders = new Map<string, Map<string, number>>();

  async get(key: string): Promise<Uint8Array | undefined> {
    assertValidKey(key);
    const value = this.#entries.get(key);
    return value === undefined ? undefined : value.slice();
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    assertValidKey(key);
    if (!this.#entries.has(key)) this.#index(key, 1);
    this.#entries.set(key, value.slice());
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    if (this.#entries.delete(key)) this.#index(key, -1);
  }

  /** All at once: nothing can run between the writes of a batch. */
  async batch(writes: readonly StorageWrite[]): Promise<void> {
    checkBatch(writes);
    for (const { key, value } of writes) {
      if (value === undefined) {
        if (this.#entries.delete(key)) this.#index(key, -1);
      } else {
        if (!this.#entries.has(key)) this.#index(key, 1);
        this.#entries.set(key, value.slice());
      }
    }
  }

  async list(prefix: string): Promise<string[]> {
    const cut = prefix.lastIndexOf('/') + 1;
    const children = this.#folders.get(prefix.slice(0, cut));
    if (!children) return [];
    const partial = prefix.slice(cut);
    const out = new Set<string>();
    for (const child of children.keys()) {
      if (!child.startsWith(partial) || child.length === partial.length) continue;
      const rest = child.slice(partial.length);
      const slash = rest.indexOf('/');
      out.add(slash === -1 ? rest : rest.slice(0, slash + 1));
    }
    return [...out].sort(compareKeys);
  }

  /** Every key and value, for storage-dump tests. */
  dump(): Map<string, Uint8Array> {
    return new Map([...this.#entries].map(([k, v]) => [k, v.slice()]));
  }

  /** Counts `key` in (or out of) each folder above it. */
  #index(key: string, delta: 1 | -1): void {
    let start = 0;
    for (;;) {
      const slash = key.indexOf('/', start);
      const folder = key.slice(0, start);
      const child = slash === -1 ? key.slice(start) : key.slice(start, slash + 1);
      let children = this.#folders.get(folder);
      if (!children) this.#folders.set(folder, (children = new Map()));
      const count = (children.get(child) ?? 0) + delta;
      if (count > 0) children.set(child, count);
      else {
        children.delete(child);
        if (children.size === 0) this.#folders.delete(folder);
      }
      if (slash === -1) return;
      start = slash + 1;
    }
  }
}
