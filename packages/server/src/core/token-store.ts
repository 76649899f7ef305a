import { createHmac, randomBytes } from 'node:crypto';
import { CofferError, writeBatch, type Storage } from '@coffer/sdk';
import { newAccessor, newServiceToken } from './ids.js';
import { KeyedLock } from '../util/keyed-lock.js';

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
  /** The request path that created it (`auth/token/create`, `auth/approle/login`). */
  path: string;
  /** Accessor of the auth mount that issued it, asked again on renewal. */
  mountAccessor: string;
  meta: Record<string, string>;
  displayName: string;
  /** Unix seconds. */
  creationTime: number;
  /** The TTL it was created with, in seconds; 0 for tokens that never expire. */
  ttl: number;
  /** Unix milliseconds; 0 means never. */
  expireTime: number;
  /** Seconds after creation beyond which renewals cannot go; 0 means the mount's max TTL. */
  maxTtl: number;
  explicitMaxTtl: number;
  period: number;
  /** Uses left; 0 means unlimited. */
  numUses: number;
  renewable: boolean;
  boundCidrs: string[];
  /** The token's lease in the expiration manager (tokens with a TTL). */
  leaseId?: string;
  /** The auth method's private data, given back on renewal. */
  internal: Record<string, unknown>;
  /** The token role it was created with, if any. */
  role?: string;
  type: 'service';
}

export type NewToken = Omit<TokenEntry, 'hash' | 'accessor' | 'creationTime' | 'parent' | 'leaseId'> & {
  parent?: TokenEntry;
  /** Only for a root token given by an operator (dev mode, or `id` from a root caller). */
  id?: string;
  /**
   * Names the token's lease from its hash (the id is derived from it, as Vault's are), so the entry
   * is stored with it at once instead of written a second time once the lease exists.
   */
  leaseIdFor?: (hash: string) => string;
};

export interface TokenStoreHooks {
  /** Called for every token removed (revocation, expiry), children included. */
  onRevoked(entry: TokenEntry): Promise<void>;
}

export class TokenStore {
  readonly #storage: Storage;
  readonly #salt: Buffer;
  readonly #now: () => Date;
  readonly #hooks: TokenStoreHooks;
  readonly #locks = new KeyedLock();

  private constructor(storage: Storage, salt: Buffer, now: () => Date, hooks: TokenStoreHooks) {
    this.#storage = storage;
    this.#salt = salt;
    this.#now = now;
    this.#hooks = hooks;
  }

  /** Loads the salt (creating it on first use) from the barrier. */
  static async open(storage: Storage, now: () => Date, hooks: TokenStoreHooks): Promise<TokenStore> {
    let salt = await storage.get(SALT_PATH);
    if (!salt) {
      salt = randomBytes(32);
      await storage.put(SALT_PATH, salt);
    }
    return new TokenStore(storage, Buffer.from(salt), now, hooks);
  }

  hash(value: string): string {
    return createHmac('sha256', this.#salt).update(value, 'utf8').digest('hex');
  }

  async create(spec: NewToken): Promise<{ token: string; entry: TokenEntry }> {
    const token = spec.id ?? newServiceToken();
    const hash = this.hash(token);
    if (spec.id !== undefined && (await this.#storage.get(ID_PREFIX + hash))) {
      throw new CofferError('invalid_request', 'cannot create a token with a duplicate ID');
    }
    const { parent, id: _id, leaseIdFor, ...fields } = spec;
    const entry: TokenEntry = {
      ...fields,
      ...(leaseIdFor ? { leaseId: leaseIdFor(hash) } : {}),
      hash,
      accessor: newAccessor(),
      policies: [...new Set(spec.policies)],
      parent: parent?.hash ?? '',
      creationTime: Math.floor(this.#now().getTime() / 1000),
    };
    // The entry, its accessor and its place under the parent in one batch (one etcd round trip).
    await writeBatch(this.#storage, [
      { key: ID_PREFIX + hash, value: encodeEntry(entry) },
      { key: ACCESSOR_PREFIX + this.hash(entry.accessor), value: Buffer.from(hash, 'utf8') },
      ...(entry.parent ? [{ key: `${PARENT_PREFIX}${entry.parent}/${hash}`, value: new Uint8Array(0) }] : []),
    ]);
    return { token, entry };
  }

  /** The live entry for a token as sent by a client, or undefined if unknown, expired or used up. */
  async lookup(token: string): Promise<TokenEntry | undefined> {
    if (token === '' || token.length > 4096) return undefined;
    return this.#live(await this.byHash(this.hash(token)));
  }

  /**
   * The live entry behind an accessor. `allowSpent` lets the request that spent a token's last use
   * still see it (Vault's "tainted" lookup): it is revoked when that request ends.
   */
  async lookupByAccessor(accessor: string, options: { allowSpent?: boolean } = {}): Promise<TokenEntry | undefined> {
    if (accessor === '' || accessor.length > 256) return undefined;
    const pointer = await this.#storage.get(ACCESSOR_PREFIX + this.hash(accessor));
    if (!pointer) return undefined;
    return this.#live(await this.byHash(Buffer.from(pointer).toString('utf8')), options.allowSpent ?? false);
  }

  async byHash(hash: string): Promise<TokenEntry | undefined> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    const raw = await this.#storage.get(ID_PREFIX + hash);
    return raw ? (JSON.parse(Buffer.from(raw).toString('utf8')) as TokenEntry) : undefined;
  }

  /** Seconds left, or 0 for tokens that never expire. */
  remainingTtl(entry: TokenEntry): number {
    if (entry.expireTime === 0) return 0;
    return Math.max(0, Math.ceil((entry.expireTime - this.#now().getTime()) / 1000));
  }

  /** Records the lease that now tracks this token's expiry. */
  /**
   * Spends one use of a limited-use token, atomically. Resolves with the uses left afterwards:
   * 0 means this was the last use and the caller must revoke the token once the request is done.
   * Throws `permission_denied` when another request already spent the last use.
   */
  use(entry: TokenEntry): Promise<number> {
    if (entry.numUses === 0) return Promise.resolve(-1);
    return this.#locks.write(entry.hash, async () => {
      const current = await this.byHash(entry.hash);
      if (!current || current.numUses <= 0) throw new CofferError('permission_denied', 'permission denied');
      const left = current.numUses - 1;
      // A spent token is marked with -1 so no concurrent request can use it before it is revoked.
      await this.#write({ ...current, numUses: left === 0 ? -1 : left });
      return left;
    });
  }

  /** Stores a renewed expiry. */
  async setExpiry(entry: TokenEntry, expireTime: number, bounds: Partial<Pick<TokenEntry, 'maxTtl' | 'period'>> = {}): Promise<TokenEntry> {
    return this.#locks.write(entry.hash, async () => {
      const current = (await this.byHash(entry.hash)) ?? entry;
      const updated = { ...current, ...bounds, expireTime };
      await this.#write(updated);
      return updated;
    });
  }

  /** Revokes a token and, depth first, every token created under it. */
  async revoke(entry: TokenEntry): Promise<void> {
    for (const child of await this.#storage.list(`${PARENT_PREFIX}${entry.hash}/`)) {
      const childEntry = await this.byHash(child);
      if (childEntry) await this.revoke(childEntry);
      await this.#storage.delete(`${PARENT_PREFIX}${entry.hash}/${child}`);
    }
    await this.#remove(entry);
  }

  /** Revokes only this token: its children become orphans (revoke-orphan). */
  async revokeOrphan(entry: TokenEntry): Promise<void> {
    for (const child of await this.#storage.list(`${PARENT_PREFIX}${entry.hash}/`)) {
      const childEntry = await this.byHash(child);
      if (childEntry) await this.#write({ ...childEntry, parent: '' });
      await this.#storage.delete(`${PARENT_PREFIX}${entry.hash}/${child}`);
    }
    await this.#remove(entry);
  }

  /** Accessors of every stored token (LIST auth/token/accessors, sudo). */
  async accessors(): Promise<string[]> {
    const out: string[] = [];
    for (const hash of await this.#storage.list(ID_PREFIX)) {
      const entry = await this.byHash(hash);
      if (entry) out.push(entry.accessor);
    }
    return out.sort();
  }

  /** Removes expired tokens and index entries that point at nothing. Returns what it removed. */
  async tidy(): Promise<{ tokens: number; indexes: number }> {
    let tokens = 0;
    let indexes = 0;
    for (const hash of await this.#storage.list(ID_PREFIX)) {
      const entry = await this.byHash(hash);
      if (entry && !(await this.#live(entry))) tokens++;
    }
    for (const parent of await this.#storage.list(PARENT_PREFIX)) {
      const parentHash = parent.slice(0, -1);
      const parentAlive = (await this.byHash(parentHash)) !== undefined;
      for (const child of await this.#storage.list(PARENT_PREFIX + parent)) {
        const childEntry = await this.byHash(child);
        if (!parentAlive && childEntry) {
          // A child whose parent vanished without revoking it (a crash mid-revoke) is revoked now.
          await this.revoke(childEntry);
          tokens++;
        }
        if (!parentAlive || !childEntry) {
          await this.#storage.delete(PARENT_PREFIX + parent + child);
          indexes++;
        }
      }
    }
    for (const key of await this.#storage.list(ACCESSOR_PREFIX)) {
      const pointer = await this.#storage.get(ACCESSOR_PREFIX + key);
      if (!pointer || !(await this.byHash(Buffer.from(pointer).toString('utf8')))) {
        await this.#storage.delete(ACCESSOR_PREFIX + key);
        indexes++;
      }
    }
    return { tokens, indexes };
  }

  async #write(entry: TokenEntry): Promise<void> {
    await this.#storage.put(ID_PREFIX + entry.hash, encodeEntry(entry));
  }

  async #remove(entry: TokenEntry): Promise<void> {
    await this.#storage.delete(ACCESSOR_PREFIX + this.hash(entry.accessor));
    if (entry.parent) await this.#storage.delete(`${PARENT_PREFIX}${entry.parent}/${entry.hash}`);
    await this.#storage.delete(ID_PREFIX + entry.hash);
    await this.#hooks.onRevoked(entry);
  }

  /** Expired and used-up tokens are invalid at once; the expiration manager removes them on time. */
  async #live(entry: TokenEntry | undefined, allowSpent = false): Promise<TokenEntry | undefined> {
    if (!entry) return undefined;
    if (entry.numUses < 0 && !allowSpent) return undefined;
    if (entry.expireTime > 0 && entry.expireTime <= this.#now().getTime()) {
      await this.revoke(entry);
      return undefined;
    }
    return entry;
  }
}

function encodeEntry(entry: TokenEntry): Buffer {
  return Buffer.from(JSON.stringify(entry), 'utf8');
}
