import type { Storage, TokenParams } from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../util/json-codec.js';
import { KeyedLock } from '../../util/keyed-lock.js';

/** A userpass user as stored at `user/<name>`; names are lower-cased, as Vault does. */
export interface UserRecord {
  name: string;
  /** `$scrypt$…` (see password-hash.ts); never the password. */
  passwordHash: string;
  token: TokenParams;
}

/** Users in the mount's storage, with a per-user lock for read-modify-write updates. */
export class UserStore {
  readonly #storage: Storage;
  /** Two updates of one user (policies and password, say) must not overwrite each other's change. */
  readonly lock = new KeyedLock();

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  async get(name: string): Promise<UserRecord | undefined> {
    const raw = await this.#storage.get(key(name));
    return raw === undefined ? undefined : (decodeJson(raw, `userpass user ${name}`) as unknown as UserRecord);
  }

  async put(user: UserRecord): Promise<void> {
    await this.#storage.put(key(user.name), encodeJson(user as unknown as Record<string, unknown>));
  }

  async delete(name: string): Promise<void> {
    await this.#storage.delete(key(name));
  }

  list(): Promise<string[]> {
    return this.#storage.list('user/');
  }
}

function key(name: string): string {
  return `user/${name.toLowerCase()}`;
}
