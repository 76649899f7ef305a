import { createHmac, randomBytes } from 'node:crypto';
import { CofferError, type Storage } from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../util/json-codec.js';
import { KeyedLock } from '../../util/keyed-lock.js';
import type { RoleRecord } from './role-record.js';
import type { SecretIdRecord } from './secret-id-record.js';

/**
 * AppRole's records in the mount's storage (all behind the barrier):
 *
 *   salt                                   32 random bytes, the key of every HMAC below
 *   role/<name>                            the role
 *   role_id/<hmac(role_id)>                { name }: login's way from a RoleID to its role
 *   secret_id/<hmac(name)>/<hmac(secret)>  a secret ID's properties; the secret ID itself is never stored
 *   accessor/<hmac(accessor)>              { secretIdHmac, roleHmac }: the accessor's way to its secret ID
 *
 * Only HMACs are used as keys, so a storage dump (even a decrypted one) shows no credential. The
 * HMAC key lives in the same mount, so the whole mount must be stolen to test guesses offline.
 */
export class AppRoleStore {
  readonly #storage: Storage;
  #salt: Buffer | undefined;
  /** Role writes are rare; one lock keeps RoleID uniqueness a simple read-then-write. */
  readonly roleLock = new KeyedLock();
  /** Per secret ID (by HMAC): a use-count decrement is a read-modify-write that must not interleave. */
  readonly secretLock = new KeyedLock();

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  async setup(): Promise<void> {
    const stored = await this.#storage.get('salt');
    if (stored !== undefined && stored.length === 32) {
      this.#salt = Buffer.from(stored);
      return;
    }
    const salt = randomBytes(32);
    await this.#storage.put('salt', salt);
    this.#salt = salt;
  }

  /** Keyed hash of a credential or name; the purpose keeps one kind from standing in for another. */
  hmac(purpose: 'role-id' | 'role-name' | 'secret-id' | 'accessor', value: string): string {
    if (!this.#salt) throw new CofferError('internal', 'internal error', { cause: new Error('approle salt not loaded') });
    return createHmac('sha256', this.#salt).update(`${purpose}\0${value}`).digest('hex');
  }

  async getRole(name: string): Promise<RoleRecord | undefined> {
    const raw = await this.#storage.get(`role/${name.toLowerCase()}`);
    return raw === undefined ? undefined : (decodeJson(raw, `approle role ${name}`) as unknown as RoleRecord);
  }

  async putRole(role: RoleRecord): Promise<void> {
    await this.#storage.put(`role/${role.name}`, encodeJson(role as unknown as Record<string, unknown>));
  }

  async deleteRole(name: string): Promise<void> {
    await this.#storage.delete(`role/${name}`);
  }

  listRoles(): Promise<string[]> {
    return this.#storage.list('role/');
  }

  async roleNameById(roleId: string): Promise<string | undefined> {
    const raw = await this.#storage.get(`role_id/${this.hmac('role-id', roleId)}`);
    if (raw === undefined) return undefined;
    const name = decodeJson(raw, 'approle role_id index').name;
    return typeof name === 'string' ? name : undefined;
  }

  async putRoleId(roleId: string, name: string): Promise<void> {
    await this.#storage.put(`role_id/${this.hmac('role-id', roleId)}`, encodeJson({ name }));
  }

  async deleteRoleId(roleId: string): Promise<void> {
    await this.#storage.delete(`role_id/${this.hmac('role-id', roleId)}`);
  }

  secretKey(roleHmac: string, secretIdHmac: string): string {
    return `secret_id/${roleHmac}/${secretIdHmac}`;
  }

  async getSecretId(roleHmac: string, secretIdHmac: string): Promise<SecretIdRecord | undefined> {
    const raw = await this.#storage.get(this.secretKey(roleHmac, secretIdHmac));
    return raw === undefined ? undefined : (decodeJson(raw, 'approle secret_id') as unknown as SecretIdRecord);
  }

  async putSecretId(roleHmac: string, secretIdHmac: string, record: SecretIdRecord): Promise<void> {
    await this.#storage.put(this.secretKey(roleHmac, secretIdHmac), encodeJson(record as unknown as Record<string, unknown>));
  }

  /** Secret ID HMACs under one role. */
  listSecretIds(roleHmac: string): Promise<string[]> {
    return this.#storage.list(`secret_id/${roleHmac}/`);
  }

  /** Role HMAC folders (`<hmac>/`) that hold secret IDs. */
  listSecretIdRoles(): Promise<string[]> {
    return this.#storage.list('secret_id/');
  }

  async getAccessor(accessor: string): Promise<AccessorRecord | undefined> {
    return this.getAccessorByHmac(this.hmac('accessor', accessor));
  }

  async getAccessorByHmac(accessorHmac: string): Promise<AccessorRecord | undefined> {
    const raw = await this.#storage.get(`accessor/${accessorHmac}`);
    return raw === undefined ? undefined : (decodeJson(raw, 'approle accessor') as unknown as AccessorRecord);
  }

  async putAccessor(accessor: string, record: AccessorRecord): Promise<void> {
    await this.#storage.put(`accessor/${this.hmac('accessor', accessor)}`, encodeJson(record as unknown as Record<string, unknown>));
  }

  listAccessorHmacs(): Promise<string[]> {
    return this.#storage.list('accessor/');
  }

  async deleteAccessorByHmac(accessorHmac: string): Promise<void> {
    await this.#storage.delete(`accessor/${accessorHmac}`);
  }

  /**
   * Removes a secret ID and its accessor. The accessor goes first: a crash between the two leaves a
   * secret ID without accessor, which login refuses and tidy removes.
   */
  async deleteSecretId(roleHmac: string, secretIdHmac: string, record: SecretIdRecord | undefined): Promise<void> {
    if (record) await this.deleteAccessorByHmac(this.hmac('accessor', record.accessor));
    await this.#storage.delete(this.secretKey(roleHmac, secretIdHmac));
  }
}

export interface AccessorRecord {
  secretIdHmac: string;
  roleHmac: string;
}
