import { CofferError, definePath, formatDuration, parseDurationSeconds, type PathDef } from '@coffer/sdk';
import type { KvV2Context } from './kv-v2-context.js';

/** Secret paths are never empty (see secret-path.ts), so the empty key is free for the config. */
const CONFIG_LOCK = '';

/** `config`: engine-wide `max_versions`, `cas_required` and `delete_version_after`. */
export function configPaths(ctx: KvV2Context): PathDef[] {
  return [
    definePath({
      pattern: 'config',
      summary: 'Configure settings applied to every key of the KV store.',
      fields: {
        max_versions: { type: 'int', description: 'Versions kept per key; 0 means 10' },
        cas_required: { type: 'bool', description: 'Require options.cas on every write' },
        // Signed, unlike the sdk's duration type: a negative value disables the setting on every key.
        delete_version_after: { type: 'any', description: 'Duration before versions read as deleted; 0 clears, <0 disables' },
      },
      operations: {
        read: async () => {
          const config = await ctx.store.readConfig();
          return {
            data: {
              cas_required: config.casRequired,
              delete_version_after: config.deleteVersionAfter < 0 ? '-1s' : formatDuration(config.deleteVersionAfter),
              max_versions: config.maxVersions,
            },
          };
        },
        update: async (request) => {
          const { max_versions: maxVersions, cas_required: casRequired, delete_version_after: dva } = request.fields;
          if (maxVersions === undefined && casRequired === undefined && dva === undefined) return undefined;
          const deleteVersionAfter = dva === undefined ? undefined : signedDuration(dva);
          if (maxVersions !== undefined) nonNegative(maxVersions, 'max_versions');
          // Read-modify-write: serialized under the one lock key no secret path can take.
          return ctx.locks.write(CONFIG_LOCK, async () => {
            const config = await ctx.store.readConfig();
            if (maxVersions !== undefined) config.maxVersions = maxVersions;
            if (casRequired !== undefined) config.casRequired = casRequired;
            if (deleteVersionAfter !== undefined) config.deleteVersionAfter = deleteVersionAfter;
            await ctx.store.writeConfig(config);
            return undefined;
          });
        },
      },
    }),
  ];
}

/** Vault stores any negative value as "disabled" (-1s) and reads it back as such. */
function signedDuration(raw: unknown): number {
  const field = 'field "delete_version_after"';
  if (typeof raw === 'number') return raw < 0 ? -1 : parseDurationSeconds(raw, field);
  if (typeof raw === 'string' && raw.trim().startsWith('-')) {
    parseDurationSeconds(raw.trim().slice(1), field);
    return -1;
  }
  return parseDurationSeconds(raw, field);
}

/** Vault stores max_versions unsigned; a negative number would wrap to billions, so it is refused. */
export function nonNegative(value: number, field: string): number {
  if (value < 0) throw new CofferError('invalid_request', `field "${field}" must not be negative`);
  return value;
}
