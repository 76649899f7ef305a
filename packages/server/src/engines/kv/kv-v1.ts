import {
  CofferError,
  definePath,
  parseDurationSeconds,
  type EngineDeps,
  type EngineFactory,
  type LogicalResponse,
  type Storage,
} from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../util/json-codec.js';
import { isValidSecretPath, listPrefix, secretPath } from './secret-path.js';

/**
 * KV version 1: one unversioned JSON map per path, as Vault's passthrough backend.
 *
 * Storage layout (relative to the mount's private storage): `data/<path>` holds the request body
 * as JSON, e.g. `data/app/db` for `secret/app/db`. The `data/` prefix keeps room beside it for
 * engine records; listing `data/<folder>/` gives keys and sub-folders directly.
 */
export const createKvV1Engine: EngineFactory = (deps) => ({
  type: 'kv',
  paths: [
    definePath({
      pattern: '(?<path>.*)',
      summary: 'Pass-through secret storage: read, write, delete and list arbitrary JSON maps.',
      exists: async (request) => {
        const path = request.params.path;
        return isValidSecretPath(path) && (await deps.storage.get(storageKey(path))) !== undefined;
      },
      operations: {
        read: async (request) => read(deps, secretPath(request.params.path)),
        update: async (request) => {
          const path = secretPath(request.params.path);
          // Vault refuses an empty write rather than storing an empty map.
          if (Object.keys(request.data).length === 0) throw new CofferError('invalid_request', 'missing data fields');
          await deps.storage.put(storageKey(path), encodeJson(request.data));
          return undefined;
        },
        delete: async (request) => {
          await deps.storage.delete(storageKey(secretPath(request.params.path)));
          return undefined;
        },
        list: async (request) => list(deps.storage, listPrefix(request.params.path)),
      },
    }),
  ],
});

async function read(deps: EngineDeps, path: string): Promise<LogicalResponse | undefined> {
  const raw = await deps.storage.get(storageKey(path));
  if (raw === undefined) return undefined;
  const data = decodeJson(raw, `kv entry ${path}`);
  return { data, leaseDurationHint: ttlHint(data, deps.system.defaultLeaseTtl()) };
}

async function list(storage: Storage, prefix: string): Promise<LogicalResponse | undefined> {
  const keys = await storage.list(storageKey(prefix));
  return keys.length === 0 ? undefined : { data: { keys } };
}

/**
 * Vault reports the `ttl` key (or the older `lease`) as the lease duration, a hint for readers to
 * re-read, and falls back to the mount's default TTL when it is absent or unparsable.
 */
function ttlHint(data: Record<string, unknown>, fallback: number): number {
  const raw = Object.hasOwn(data, 'ttl') ? data.ttl : Object.hasOwn(data, 'lease') ? data.lease : undefined;
  if (raw === undefined) return fallback;
  try {
    return parseDurationSeconds(raw);
  } catch {
    return fallback;
  }
}

function storageKey(path: string): string {
  return `data/${path}`;
}
