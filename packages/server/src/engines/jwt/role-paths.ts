import { definePath, type Fields, type PathDef, type Storage } from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../util/json-codec.js';
import { KeyedLock } from '../../util/keyed-lock.js';

/** Vault's framework.GenericNameRegex: word characters, with `-` and `.` inside. */
const ROLE_NAME = String.raw`(?<name>\w(?:[\w.-]*\w)?)`;

/** How one auth method's roles are written, validated and shown. */
export interface RoleCodec<R> {
  /** The role path's fields, besides `name`. */
  fields: Fields;
  /** Applies a write (create when `current` is absent); throws `invalid_request` with Vault's message. */
  apply(name: string, current: R | undefined, fields: Record<string, unknown>): { role: R; warnings: string[] };
  /** The role as `GET role/<name>` shows it. */
  json(role: R): Record<string, unknown>;
}

/**
 * The roles of a JWT-style auth method, at `role/<name>` in the mount's storage (names are
 * lower-cased, as both Vault methods store them).
 */
export class RoleStore<R> {
  readonly #storage: Storage;
  readonly #what: string;
  /** Role writes are read-modify-write; concurrent writes to one role must not interleave. */
  readonly lock = new KeyedLock();

  constructor(storage: Storage, what: string) {
    this.#storage = storage;
    this.#what = what;
  }

  async get(name: string): Promise<R | undefined> {
    const raw = await this.#storage.get(`role/${name.toLowerCase()}`);
    return raw === undefined ? undefined : (decodeJson(raw, `${this.#what} role ${name}`) as R);
  }

  async put(name: string, role: R): Promise<void> {
    await this.#storage.put(`role/${name.toLowerCase()}`, encodeJson(role as Record<string, unknown>));
  }

  async delete(name: string): Promise<void> {
    await this.#storage.delete(`role/${name.toLowerCase()}`);
  }

  list(): Promise<string[]> {
    return this.#storage.list('role/');
  }
}

/** `role/` (LIST) and `role/<name>` (create, read, update, delete). */
export function rolePaths<R>(store: RoleStore<R>, codec: RoleCodec<R>): PathDef[] {
  return [
    definePath({
      pattern: 'role/?',
      summary: 'List the roles.',
      operations: {
        list: async () => {
          const keys = await store.list();
          return keys.length === 0 ? undefined : { data: { keys } };
        },
      },
    }),
    definePath({
      pattern: `role/${ROLE_NAME}`,
      fields: { name: { type: 'string', required: true }, ...codec.fields },
      summary: 'Create, read, update or delete a role.',
      exists: async (req) => (await store.get(req.params.name ?? '')) !== undefined,
      operations: {
        read: async (req) => {
          const role = await store.get(req.fields.name as string);
          return role === undefined ? undefined : { data: codec.json(role) };
        },
        update: async (req) => {
          const name = (req.fields.name as string).toLowerCase();
          return store.lock.write(name, async () => {
            const { role, warnings } = codec.apply(name, await store.get(name), req.fields);
            await store.put(name, role);
            return warnings.length > 0 ? { warnings } : undefined;
          });
        },
        delete: async (req) => {
          const name = (req.fields.name as string).toLowerCase();
          await store.lock.write(name, () => store.delete(name));
          return undefined;
        },
      },
    }),
  ];
}
