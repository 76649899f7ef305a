import { writeBatch, type Storage, type StorageWrite } from '@coffer/sdk';

/** A Storage confined to a key prefix: what each mount sees, so it cannot reach another mount's data. */
export class PrefixedStorage implements Storage {
  readonly #inner: Storage;
  readonly #prefix: string;

  constructor(inner: Storage, prefix: string) {
    this.#inner = inner;
    this.#prefix = prefix;
  }

  get = (key: string) => this.#inner.get(this.#prefix + key);
  put = (key: string, value: Uint8Array) => this.#inner.put(this.#prefix + key, value);
  delete = (key: string) => this.#inner.delete(this.#prefix + key);
  list = (prefix: string) => this.#inner.list(this.#prefix + prefix);
  batch = (writes: readonly StorageWrite[]) => writeBatch(this.#inner, writes.map(({ key, value }) => ({ key: this.#prefix + key, value })));
}

/** Deletes every key under a prefix, folder by folder (Storage lists one level at a time). */
export async function deleteTree(storage: Storage, prefix: string): Promise<void> {
  for (const entry of await storage.list(prefix)) {
    if (entry.endsWith('/')) await deleteTree(storage, prefix + entry);
    else await storage.delete(prefix + entry);
  }
}
