/**
 * etcd keys are bytes; ours are Unicode strings under one prefix (the config's `path`). UTF-8 keeps
 * etcd's byte order equal to `compareKeys` order, so ranges and listings agree with the contract.
 */
export class KeySpace {
  readonly #prefix: Buffer;

  constructor(path: string) {
    this.#prefix = Buffer.from(path, 'utf8');
  }

  /** The etcd key of a storage key. */
  key(key: string): Buffer {
    return Buffer.concat([this.#prefix, Buffer.from(key, 'utf8')]);
  }

  /** The storage key of an etcd key (which must lie under the prefix). */
  unkey(raw: Buffer): string {
    return raw.subarray(this.#prefix.length).toString('utf8');
  }

  /** Start and end of the range holding every key that begins with `prefix`. */
  range(prefix: string): { key: Buffer; range_end: Buffer } {
    const key = this.key(prefix);
    return { key, range_end: prefixEnd(key) };
  }
}

/**
 * The first key after every key starting with `prefix`: its last byte below 0xff plus one, with
 * trailing 0xff bytes dropped. An all-0xff (or empty) prefix has no end; etcd reads `\0` as "to
 * the end of the keyspace".
 */
export function prefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if ((prefix[i] as number) < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i] = (end[i] as number) + 1;
      return end;
    }
  }
  return Buffer.from([0]);
}

/** The smallest key greater than `key`: a listing continues from here. */
export function keyAfter(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}
