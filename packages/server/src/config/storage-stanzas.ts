import type { StorageConfig } from './config-types.js';
import { stringField } from './fields.js';
import { defineStanza, type StanzaKind } from './stanzas.js';

/** Storage backends by Vault type name. A new backend is one entry here (and its config type). */
export const STORAGE: StanzaKind<StorageConfig> = {
  name: 'storage',
  min: 1,
  max: 1,
  example: 'storage "file" { path = "/var/lib/coffer" }',
  types: {
    file: defineStanza({ path: stringField({ required: true }) }, ({ path }) =>
      path === undefined ? undefined : { type: 'file', path },
    ),
    inmem: defineStanza({}, () => ({ type: 'inmem' })),
  },
};
