import type { Storage } from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../util/json-codec.js';
import type { ConnectionConfig } from './config-record.js';
import type { RoleRecord } from './role-record.js';
import type { StaticRoleRecord } from './static-role-record.js';

/**
 * The engine's records in the mount's storage, all behind the barrier:
 *
 *   config/<name>       a connection, with Coffer's own database password
 *   role/<name>         a dynamic role
 *   static-role/<name>  a static role, with its current password and rotation times
 *   wal/static/<name>   a static rotation in flight: the new password, written before the database
 *                       is changed, so a crash in between finishes with that password
 *   wal/root/<name>     the same for rotate-root
 *
 * The keys are Vault's (`config/`, `role/`, `static-role/`).
 */
export interface RotationWal {
  password: string;
  /** Unix ms when the rotation began. */
  startedAt: number;
}

export class DatabaseStore {
  readonly #storage: Storage;

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  config(name: string): Promise<ConnectionConfig | undefined> {
    return this.#get<ConnectionConfig>(`config/${name}`);
  }
  putConfig(config: ConnectionConfig): Promise<void> {
    return this.#put(`config/${config.name}`, config);
  }
  deleteConfig(name: string): Promise<void> {
    return this.#storage.delete(`config/${name}`);
  }
  listConfigs(): Promise<string[]> {
    return this.#list('config/');
  }

  role(name: string): Promise<RoleRecord | undefined> {
    return this.#get<RoleRecord>(`role/${name}`);
  }
  putRole(name: string, role: RoleRecord): Promise<void> {
    return this.#put(`role/${name}`, role);
  }
  deleteRole(name: string): Promise<void> {
    return this.#storage.delete(`role/${name}`);
  }
  listRoles(): Promise<string[]> {
    return this.#list('role/');
  }

  staticRole(name: string): Promise<StaticRoleRecord | undefined> {
    return this.#get<StaticRoleRecord>(`static-role/${name}`);
  }
  putStaticRole(name: string, role: StaticRoleRecord): Promise<void> {
    return this.#put(`static-role/${name}`, role);
  }
  deleteStaticRole(name: string): Promise<void> {
    return this.#storage.delete(`static-role/${name}`);
  }
  listStaticRoles(): Promise<string[]> {
    return this.#list('static-role/');
  }

  wal(kind: 'static' | 'root', name: string): Promise<RotationWal | undefined> {
    return this.#get<RotationWal>(`wal/${kind}/${name}`);
  }
  putWal(kind: 'static' | 'root', name: string, wal: RotationWal): Promise<void> {
    return this.#put(`wal/${kind}/${name}`, wal);
  }
  deleteWal(kind: 'static' | 'root', name: string): Promise<void> {
    return this.#storage.delete(`wal/${kind}/${name}`);
  }
  listWals(kind: 'static' | 'root'): Promise<string[]> {
    return this.#list(`wal/${kind}/`);
  }

  async #get<T>(key: string): Promise<T | undefined> {
    const raw = await this.#storage.get(key);
    return raw === undefined ? undefined : (decodeJson(raw, `database ${key}`) as unknown as T);
  }

  #put(key: string, value: object): Promise<void> {
    return this.#storage.put(key, encodeJson(value as Record<string, unknown>));
  }

  async #list(prefix: string): Promise<string[]> {
    return (await this.#storage.list(prefix)).filter((k) => !k.endsWith('/'));
  }
}
