import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CofferError, assertValidKey, checkBatch, writeBatch, type Storage, type StorageWrite } from '@coffer/sdk';
import { Keyring, type KeyStatus } from './keyring.js';
import { ReadCache } from './read-cache.js';

/**
 * The barrier: AES-256-GCM between the core and physical storage. Every value is framed as
 *   term (uint32 BE) ‖ version 0x02 ‖ nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)
 * with the storage path as additional authenticated data, so a value copied to another path fails
 * to decrypt. The term names the keyring key that encrypted it; rotation adds a term and old terms
 * keep decrypting. The keyring itself is stored at `core/keyring`, encrypted under the root key
 * (written as term 0, which never names a data key).
 */
export const KEYRING_PATH = 'core/keyring';
const VERSION = 0x02;
const ROOT_KEY_TERM = 0;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 4 + 1 + NONCE_BYTES;

/** Vault's `cache_size` default (entries); the byte bound keeps a few large values from hogging memory. */
export const DEFAULT_CACHE_LIMITS = { maxEntries: 131_072, maxBytes: 64 * 1024 * 1024 };

export class Barrier implements Storage {
  readonly #physical: Storage;
  /** Where encrypted writes go: the physical storage, or (HA) the leadership's fenced view. */
  #writer: Storage;
  /** Whether this node is the only writer (single node, or HA active): then reads may be cached. */
  #soleWriter = true;
  readonly #cache: ReadCache;
  #keyring: Keyring | undefined;

  /** `cache` bounds the read cache of stored (encrypted) values; `maxEntries: 0` disables it. */
  constructor(physical: Storage, cache: { maxEntries: number; maxBytes: number } = DEFAULT_CACHE_LIMITS) {
    this.#physical = physical;
    this.#writer = physical;
    this.#cache = new ReadCache(cache);
    this.#cache.reset(true);
  }

  /**
   * HA: while active, writes go through the leadership's fenced storage, so a deposed leader can
   * never write, and reads are cached (`soleWriter`); on a standby writes go to a storage that
   * refuses them and every read goes to storage, since the active node writes behind its back.
   */
  setWriter(writer: Storage, soleWriter: boolean): void {
    this.#writer = writer;
    this.#soleWriter = soleWriter;
    this.#cache.reset(soleWriter);
  }

  /** Entries in the read cache (for tests). */
  get cachedEntries(): number {
    return this.#cache.size;
  }

  /** Re-reads the keyring (a standby taking over picks up terms the old leader added). */
  async reload(): Promise<void> {
    const keyring = this.#unsealed();
    const blob = await this.#physical.get(KEYRING_PATH);
    if (!blob) throw new CofferError('internal', 'barrier keyring is missing from storage');
    const rootKey = keyring.rootKey;
    const plain = decryptFramed(blob, KEYRING_PATH, (term) => (term === ROOT_KEY_TERM ? rootKey : undefined));
    this.#keyring = Keyring.decode(plain, rootKey);
    keyring.destroy();
  }

  get sealed(): boolean {
    return this.#keyring === undefined;
  }

  /** Creates a fresh keyring with one term and stores it under the root key. Leaves the barrier unsealed. */
  async initialize(rootKey: Uint8Array, now: Date): Promise<void> {
    if (await this.#physical.get(KEYRING_PATH)) {
      throw new CofferError('invalid_request', 'barrier is already initialized');
    }
    const keyring = Keyring.create(rootKey, now);
    await this.#writeKeyring(keyring);
    this.#keyring = keyring;
  }

  /** Loads the keyring with the root key; a wrong root key fails authentication and leaves the barrier sealed. */
  async unseal(rootKey: Uint8Array): Promise<void> {
    const blob = await this.#physical.get(KEYRING_PATH);
    if (!blob) throw new CofferError('internal', 'barrier keyring is missing from storage');
    const plain = decryptFramed(blob, KEYRING_PATH, (term) => (term === ROOT_KEY_TERM ? rootKey : undefined));
    this.#keyring = Keyring.decode(plain, rootKey);
    this.#cache.reset(this.#soleWriter);
  }

  seal(): void {
    this.#keyring?.destroy();
    this.#keyring = undefined;
    this.#cache.reset(this.#soleWriter);
  }

  /** Adds a new encryption term; existing values stay readable under their old terms. */
  async rotate(now: Date): Promise<KeyStatus> {
    const keyring = this.#unsealed();
    const next = keyring.withNewTerm(now);
    await this.#writeKeyring(next);
    this.#keyring = next;
    return next.status();
  }

  keyStatus(): KeyStatus {
    return this.#unsealed().status();
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const keyring = this.#unsealed();
    const blob = await this.#cache.read(key, () => this.#physical.get(key));
    if (blob === undefined) return undefined;
    return decryptFramed(blob, key, (term) => (term === ROOT_KEY_TERM ? undefined : keyring.key(term)));
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    assertValidKey(key);
    const keyring = this.#unsealed();
    const term = keyring.activeTerm;
    keyring.countEncryption();
    const blob = encryptFramed(value, key, term, keyring.key(term) as Uint8Array);
    await this.#cache.write(key, blob, () => this.#writer.put(key, blob));
  }

  async delete(key: string): Promise<void> {
    this.#unsealed();
    await this.#cache.write(key, undefined, () => this.#writer.delete(key));
  }

  /** Encrypts each value under its own path and hands the batch down (one transaction on etcd). */
  async batch(writes: readonly StorageWrite[]): Promise<void> {
    checkBatch(writes);
    const keyring = this.#unsealed();
    const term = keyring.activeTerm;
    const key = keyring.key(term) as Uint8Array;
    const sealed = writes.map(({ key: path, value }) => {
      if (value === undefined) return { key: path, value };
      keyring.countEncryption();
      return { key: path, value: encryptFramed(value, path, term, key) };
    });
    await this.#cache.writeMany(sealed, () => writeBatch(this.#writer, sealed));
  }

  async list(prefix: string): Promise<string[]> {
    this.#unsealed();
    return this.#physical.list(prefix);
  }

  #unsealed(): Keyring {
    if (!this.#keyring) throw new CofferError('sealed', 'Vault is sealed');
    return this.#keyring;
  }

  async #writeKeyring(keyring: Keyring): Promise<void> {
    const encoded = keyring.encode();
    await this.#writer.put(KEYRING_PATH, encryptFramed(encoded, KEYRING_PATH, ROOT_KEY_TERM, keyring.rootKey));
    encoded.fill(0);
  }
}

export function encryptFramed(plaintext: Uint8Array, path: string, term: number, key: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(term, 0);
  header[4] = VERSION;
  nonce.copy(header, 5);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(path, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([header, body]);
}

export function decryptFramed(
  blob: Uint8Array,
  path: string,
  keyForTerm: (term: number) => Uint8Array | undefined,
): Uint8Array {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < HEADER_BYTES + TAG_BYTES || buf[4] !== VERSION) {
    throw new CofferError('internal', `stored value at "${path}" is not a barrier value`);
  }
  const term = buf.readUInt32BE(0);
  const key = keyForTerm(term);
  if (!key) throw new CofferError('internal', `no barrier key for term ${term} at "${path}"`);
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(5, HEADER_BYTES));
  decipher.setAAD(Buffer.from(path, 'utf8'));
  decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(buf.subarray(HEADER_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
  } catch (cause) {
    throw new CofferError('internal', `stored value at "${path}" failed authentication`, { cause });
  }
}
