/**
 * A read cache of barrier values (ciphertext, as stored) for the node that is the only writer:
 * a single node, or the active node of a cluster. Vault calls this the physical cache. It turns
 * the token, policy, mount and KV metadata reads of every request into memory lookups, which on
 * etcd are round trips.
 *
 * It is correct only while every write goes through `write` on this node; the barrier switches it
 * off on a standby (the active node writes behind its back) and clears it on every role change and
 * seal. Writes and reads may interleave freely, so a value is remembered only when no write could
 * have raced it:
 * - a read that missed stores its answer only if no write started or finished anywhere while it
 *   was in flight (a write to the same key could otherwise land between the read and the store);
 * - a write stores its value only when it succeeded and no other write to the same key overlapped
 *   it (the storage, not the order of completion, decides which of two racing writes wins).
 * A failed write forgets the key: it may or may not have landed.
 */
export class ReadCache {
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  /**
   * Insertion order is eviction order: first in, first out. A hit does not move its entry, since
   * re-inserting on every read costs more (two hash-map updates per lookup) than an LRU saves here.
   * `null` = known missing.
   */
  readonly #entries = new Map<string, Uint8Array | null>();
  #bytes = 0;
  #enabled = false;
  /** Bumped when any write starts or ends, and on reset: a read that saw it move stores nothing. */
  #writeEvents = 0;
  readonly #writing = new Map<string, { inFlight: number; overlapped: boolean }>();

  constructor(limits: { maxEntries: number; maxBytes: number }) {
    this.#maxEntries = limits.maxEntries;
    this.#maxBytes = limits.maxBytes;
  }

  /** Empties the cache, and from now on uses it (the only writer) or not (standby, sealed). */
  reset(enabled: boolean): void {
    this.#entries.clear();
    this.#bytes = 0;
    this.#writeEvents++;
    this.#enabled = enabled && this.#maxEntries > 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  async read(key: string, load: () => Promise<Uint8Array | undefined>): Promise<Uint8Array | undefined> {
    if (!this.#enabled) return load();
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const eventsBefore = this.#writeEvents;
    const value = await load();
    if (this.#writeEvents === eventsBefore && !this.#writing.has(key)) this.#remember(key, value);
    return value;
  }

  /** Runs a put (`value`) or a delete (`undefined`) of `key` through the cache. */
  write(key: string, value: Uint8Array | undefined, perform: () => Promise<void>): Promise<void> {
    return this.writeMany([{ key, value }], perform);
  }

  /** Runs one request that writes several keys (a storage batch) through the cache. */
  async writeMany(writes: readonly { key: string; value: Uint8Array | undefined }[], perform: () => Promise<void>): Promise<void> {
    this.#writeEvents++;
    const states = writes.map(({ key }) => {
      this.#forget(key);
      let state = this.#writing.get(key);
      if (state) state.overlapped = true;
      else this.#writing.set(key, (state = { inFlight: 0, overlapped: false }));
      state.inFlight++;
      return state;
    });
    let succeeded = false;
    try {
      await perform();
      succeeded = true;
    } finally {
      this.#writeEvents++;
      writes.forEach(({ key, value }, i) => {
        const state = states[i] as { inFlight: number; overlapped: boolean };
        state.inFlight--;
        if (state.inFlight === 0) this.#writing.delete(key);
        if (succeeded && !state.overlapped && this.#enabled) this.#remember(key, value);
        else this.#forget(key);
      });
    }
  }

  #remember(key: string, value: Uint8Array | undefined): void {
    const size = entryBytes(key, value);
    if (size > this.#maxBytes) return;
    this.#forget(key);
    this.#entries.set(key, value ?? null);
    this.#bytes += size;
    for (const [oldest, oldValue] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entryBytes(oldest, oldValue ?? undefined);
    }
  }

  #forget(key: string): void {
    const old = this.#entries.get(key);
    if (old === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entryBytes(key, old ?? undefined);
  }
}

/** What an entry costs, roughly: the value, the key (UTF-16) and the map's own overhead. */
function entryBytes(key: string, value: Uint8Array | undefined): number {
  return (value?.byteLength ?? 0) + key.length * 2 + 64;
}
