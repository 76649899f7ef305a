import { EtcdConfigError, parseEtcdStorageConfig } from '@coffer/storage-etcd';
import type { StorageConfig } from './config-types.js';
import { stringField } from './fields.js';
import { defineStanza, type StanzaKind, type StanzaType } from './stanzas.js';

/**
 * Storage backends by Vault type name. A new backend is one entry here (and its config type).
 * etcd's keys are the storage-etcd package's to judge (environment variables included); its
 * problems come back by key and land on their lines.
 */
export function storageStanzas(env: Record<string, string | undefined>): StanzaKind<StorageConfig> {
  const etcd: StanzaType<StorageConfig> = {
    fields: {},
    read(body, context, problems) {
      try {
        return { type: 'etcd', etcd: parseEtcdStorageConfig(body.value, env) };
      } catch (error) {
        if (!(error instanceof EtcdConfigError)) throw error;
        for (const problem of error.problems) {
          problems.add(problem.key === undefined ? body.line : body.keyLine(problem.key), `${context}: ${problem.message}`);
        }
        return undefined;
      }
    },
  };
  return {
    name: 'storage',
    min: 1,
    max: 1,
    example: 'storage "file" { path = "/var/lib/coffer" }',
    types: {
      file: defineStanza({ path: stringField({ required: true }) }, ({ path }) =>
        path === undefined ? undefined : { type: 'file', path },
      ),
      inmem: defineStanza({}, () => ({ type: 'inmem' })),
      etcd,
    },
  };
}
