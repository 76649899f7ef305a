import type { Storage } from '@coffer/sdk';
import { KeyedLock } from '../../util/keyed-lock.js';
import type { KeyPolicy } from './key-policy.js';
import { decodePolicy, encodePolicy } from './policy-codec.js';

const POLICY_PREFIX = 'policy/';

/**
 * The mount's keys: stored at `policy/<name>`, cached in memory once read. Encrypt, decrypt, sign and
 * friends take the cached snapshot without any lock, so they stay as fast as a Map lookup. Changes
 * (create, rotate, config, trim, delete) are serialized per key by a writer lock, written to storage
 * first and put in the cache second, so the cache never holds something storage does not. A cache
 * miss loads under the reader side of the same lock, so it can never race a writer and cache a value
 * the writer just replaced. The server has one active node, so an in-process cache is coherent.
 */
export class KeyStore {
  readonly #storage: Storage;
  readonly #cache = new Map<string, KeyPolicy>();
  readonly #locks = new KeyedLock();

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  async read(name: string): Promise<KeyPolicy | undefined> {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    return this.#locks.read(name, () => this.#load(name));
  }

  /**
   * Read-modify-write of one key under its writer lock. `change` gets the current policy (or
   * undefined) and returns the next one, or undefined to leave it as it is; it may throw to refuse.
   */
  async update(
    name: string,
    change: (current: KeyPolicy | undefined) => Promise<KeyPolicy | undefined> | KeyPolicy | undefined,
  ): Promise<{ policy: KeyPolicy | undefined; changed: boolean }> {
    return this.#locks.write(name, async () => {
      const current = await this.#load(name);
      const next = await change(current);
      if (!next) return { policy: current, changed: false };
      await this.#storage.put(POLICY_PREFIX + name, encodePolicy(next));
      this.#cache.set(name, next);
      return { policy: next, changed: true };
    });
  }

  /** Deletes a key once `check` accepts it (it throws to refuse). */
  async remove(name: string, check: (current: KeyPolicy | undefined) => void): Promise<void> {
    await this.#locks.write(name, async () => {
      check(await this.#load(name));
      await this.#storage.delete(POLICY_PREFIX + name);
      this.#cache.delete(name);
    });
  }

  /** Key names, sorted; folders (never written by this engine) are left out, as Vault does. */
  async list(): Promise<string[]> {
    return (await this.#storage.list(POLICY_PREFIX)).filter((entry) => !entry.endsWith('/'));
  }

  async #load(name: string): Promise<KeyPolicy | undefined> {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    const raw = await this.#storage.get(POLICY_PREFIX + name);
    if (!raw) return undefined;
    const policy = decodePolicy(raw, `transit key ${name}`);
    this.#cache.set(name, policy);
    return policy;
  }
}
