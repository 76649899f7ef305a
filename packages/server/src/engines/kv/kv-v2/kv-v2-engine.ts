import type { EngineFactory } from '@coffer/sdk';
import { KeyedLock } from '../../../util/keyed-lock.js';
import { KvStore } from './kv-store.js';
import type { KvV2Context } from './kv-v2-context.js';
import { configPaths } from './path-config.js';
import { dataPaths } from './path-data.js';
import { metadataPaths } from './path-metadata.js';
import { subkeysPaths } from './path-subkeys.js';
import { versionPaths } from './path-versions.js';

/**
 * KV version 2: versioned secrets with check-and-set, soft delete, destroy and per-key metadata,
 * wire-compatible with Vault's kv-v2 (mounted as `kv` with option `version: "2"`). The storage
 * layout is described in kv-store.ts.
 */
export const createKvV2Engine: EngineFactory = (deps) => {
  const ctx: KvV2Context = {
    store: new KvStore(deps.storage),
    locks: new KeyedLock(),
    now: () => deps.system.now().getTime(),
    logger: deps.logger,
  };
  return {
    type: 'kv',
    paths: [
      ...configPaths(ctx),
      ...dataPaths(ctx),
      ...metadataPaths(ctx),
      ...versionPaths(ctx),
      ...subkeysPaths(ctx),
    ],
  };
};
