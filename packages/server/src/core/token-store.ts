import { createHmac, randomBytes } from 'node:crypto';
import { CofferError, type Storage } from '@coffer/sdk';
import { newAccessor, newServiceToken } from './ids.js';

/**
 * Tokens live behind the barrier and only by salted hash: `sys/token/id/<hmac(token)>` holds the
 * entry, `sys/token/accessor/<hmac(accessor)>` points to it, and `sys/token/parent/<parent>/<child>`
 * records the tree so revoking a parent revokes its children. A token is found by hashing what the
 * client sent and reading that key: there is no comparison against a stored plain token anywhere.
 */
const SALT_PATH = 'sys/token/salt';
const ID_PREFIX = 'sys/token/id/';
const ACCESSOR_PREFIX = 'sys/token/accessor/';
const PARENT_PREFIX = 'sys/token/parent/';

export interface TokenEntry {
  /** The salted hash of the token, its storage identity. */
  hash: string;
  accessor: string;
  policies: string[];
  /** Hash of the parent token; empty for orphans. */
  parent: string;
  path: string;
  meta: Record<string, string>;
  displayName: string;
  /** Unix seconds. */
  creationTime: number;
  /** Seconds; 0 means no expiry (root tokens). */
  ttl: number;
  explicitMaxTtl: number;
  period: number;
  numUses: number;
  renewable: boolean;
  type: 'service';
}

export interface TokenSpec {
  policies: string[];
  parent?: TokenEntry;
  path: string;
  meta?: Record<string, string>;
  displayName: string;
  ttl: number;
  explicitMaxTtl?: number;
  period?: number;
  numUses?: number;
  renewable?: boolean;
  /** Only for the dev-mode root token given on the command line. */
  id?: string;
}

export class TokenStore {
  readonly #storage: Storage;
  readonly #salt: Buffer;
  readonly #now: () => Date;

  private constructor(storage: Storage, salt: Buffer, now: () => Date) {
    this.#storage = storage;
    this.#salt = salt;
    this.#now = now;
  }

  /** Loads the salt (creating it on first use) from the barrier. */
  static async open(storage: Storage, now: () => Date): Promise<TokenStore> {
    let salt = await storage.get(SALT_PATH);
    if (!salt) {
      salt = randomBytes(32);
      await storage.put(SALT_PATH, salt);
    }
    return new TokenStore(storage, Buffer.from(salt), now);
  }

  hash(value: string): string {
    return createHmac('sha256', this.#salt).update(value, 'utf8').digest('hex');
  }

  async create(spec: TokenSpec): Promise<{ token: string; entry: TokenEntry }> {
    const token = spec.id ?? newServiceToken();
    const hash = this.hash(token);
    if (spec.id !== undefined && (await this.#storage.get(ID_PREFIX + hash))) {
      throw new CofferError('invalid_request', 'cannot create a token with a duplicate ID');
    }
    const entry: TokenEntry = {
      hash,
      accessor: newAccessor(),
      policies: [...new Set(spec.policies)].sort(),
      parent: spec.parent?.hash ?? '',
      path: spec.path,
      meta: spec.meta ?? {},
      displayName: spec.displayName,
      creationTime: Math.floor(this.#now().getTime() / 1000),
      ttl: spec.ttl,
      explicitMaxTtl: spec.explicitMaxTtl ?? 0,
      period: spec.period ?? 0,
      numUses: spec.numUses ?? 0,
      renewable: spec.renewable ?? spec.ttl > 0,
      type: 'service',
    };
    await this.#storage.put(ID_PREFIX + hash, encode(entry));
    await this.#storage.put(ACCESSOR_PREFIX + this.hash(entry.accessor), Buffer.from(hash, 'utf8'));
    if (entry.parent) await this.#storage.put(`${PARENT_PREFIX}${entry.parent}/${hash}`, new Uint8Array(0));
    return { token, entry };
  }

  /** The live entry for a token as sent by a client, or undefined if unknown or expired. */
  async lookup(token: string): Promise<TokenEntry | undefined> {
    if (token === '') return undefined;
    return this.#live(await this.#read(this.hash(token)));
  }

  async lookupByAccessor(accessor: string): Promise<TokenEntry | undefined> {
    if (accessor === '') return undefined;
    const pointer = await this.#storage.get(ACCESSOR_PREFIX + this.hash(accessor));
    if (!pointer) return undefined;
    return this.#live(await this.#read(Buffer.from(pointer).toString('utf8')));
  }

  /** Seconds left, or 0 for tokens that never expire. */
  remainingTtl(entry: TokenEntry): number {
    if (entry.ttl === 0) return 0;
    return Math.max(0, entry.creationTime + entry.ttl - Math.floor(this.#now().getTime() / 1000));
  }

  /** Revokes a token and, depth first, every token created under it. */
  async revoke(entry: TokenEntry): Promise<void> {
    for (const child of await this.#storage.list(`${PARENT_PREFIX}${entry.hash}/`)) {
      const childEntry = await this.#read(child);
      if (childEntry) await this.revoke(childEntry);
      await this.#storage.delete(`${PARENT_PREFIX}${entry.hash}/${child}`);
    }
    await this.#remove(entry);
  }

  async #remove(entry: TokenEntry): Promise<void> {
    await this.#storage.delete(ACCESSOR_PREFIX + this.hash(entry.accessor));
    if (entry.parent) await this.#storage.delete(`${PARENT_PREFIX}${entry.parent}/${entry.hash}`);
    await this.#storage.delete(ID_PREFIX + entry.hash);
  }

  async #read(hash: string): Promise<TokenEntry | undefined> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    const raw = await this.#storage.get(ID_PREFIX + hash);
    return raw ? (JSON.parse(Buffer.from(raw).toString('utf8')) as TokenEntry) : undefined;
  }

  /** Expired tokens are invalid at once and removed in passing; the expiration manager (later) sweeps the rest. */
  async #live(entry: TokenEntry | undefined): Promise<TokenEntry | undefined> {
    if (!entry) return undefined;
    if (entry.ttl > 0 && this.remainingTtl(entry) === 0) {
      await this.revoke(entry);
      return undefined;
    }
    return entry;
  }
}

function encode(entry: TokenEntry): Uint8Array {
  return Buffer.from(JSON.stringify(entry), 'utf8');
}
