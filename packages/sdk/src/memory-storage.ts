import { assertValidKey, nextSegments, type Storage } from './storage.js';

/**
 * Storage in a Map: for tests and `server --dev`. Values are copied in and out, so callers cannot
 * mutate what is stored.
 */
export class InMemoryStorage implements Storage {
  readonly #entries = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    assertValidKey(key);
    const value = this.#entries.get(key);
    return value === undefined ? undefined : value.slice();
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    assertValidKey(key);
    this.#entries.set(key, value.slice());
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    this.#entries.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    return nextSegments(prefix, this.#entries.keys());
  }

  /** Every key and value, for storage-dump tests. */
  dump(): Map<string, Uint8Array> {
    return new Map([...this.#entries].map(([k, v]) => [k, v.slice()]));
  }
}
