import { createHash } from 'node:crypto';
import { CofferError, definePath, type Engine, type EngineDeps, type LogicalRequest, type Storage } from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../util/json-codec.js';
import { deleteTree } from '../../core/storage-view.js';

/** What the core needs of the cubbyhole besides its paths: response wrapping and token revocation. */
export interface Cubbyhole {
  engine: Engine;
  /** Stores a value in a token's cubbyhole (response wrapping). */
  write(accessor: string, key: string, value: Record<string, unknown>): Promise<void>;
  read(accessor: string, key: string): Promise<Record<string, unknown> | undefined>;
  /** Destroys a token's whole cubbyhole (the token was revoked). */
  destroy(accessor: string): Promise<void>;
}

/**
 * The cubbyhole (`cubbyhole/`): private storage per token, gone with the token. Keyed by a hash of
 * the token's accessor, so neither tokens nor accessors appear in storage keys. No policy can
 * reach another token's cubbyhole: the scope comes from the caller, not the path.
 */
export function createCubbyhole(deps: EngineDeps): Cubbyhole {
  const storage: Storage = deps.storage;
  const scope = (accessor: string) => `${createHash('sha256').update(accessor, 'utf8').digest('hex')}/`;
  const own = (req: LogicalRequest) => {
    if (!req.auth) throw new CofferError('permission_denied', 'permission denied');
    const path = req.params.path ?? '';
    if (path.split('/').some((s) => s === '..' || s === '.')) throw new CofferError('invalid_request', 'invalid path');
    return { prefix: scope(req.auth.accessor), path };
  };
  const engine: Engine = {
    type: 'cubbyhole',
    paths: [
      definePath({
        pattern: '(?<path>.*)',
        operations: {
          read: async (req) => {
            const { prefix, path } = own(req);
            if (path === '') return undefined;
            const raw = await storage.get(prefix + path);
            return raw ? { data: decodeJson(raw, 'cubbyhole entry') } : undefined;
          },
          update: async (req) => {
            const { prefix, path } = own(req);
            if (path === '' || path.endsWith('/')) throw new CofferError('invalid_request', 'missing path');
            if (Object.keys(req.data).length === 0) throw new CofferError('invalid_request', 'missing data fields');
            await storage.put(prefix + path, encodeJson(req.data));
            return undefined;
          },
          delete: async (req) => {
            const { prefix, path } = own(req);
            await storage.delete(prefix + path);
            return undefined;
          },
          list: async (req) => {
            const { prefix, path } = own(req);
            const keys = await storage.list(prefix + path);
            return keys.length ? { data: { keys } } : undefined;
          },
        },
      }),
    ],
  };
  return {
    engine,
    write: (accessor, key, value) => storage.put(scope(accessor) + key, encodeJson(value)),
    read: async (accessor, key) => {
      const raw = await storage.get(scope(accessor) + key);
      return raw ? decodeJson(raw, 'cubbyhole entry') : undefined;
    },
    destroy: (accessor) => deleteTree(storage, scope(accessor)),
  };
}
