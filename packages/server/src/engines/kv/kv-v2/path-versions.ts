import { definePath, type PathDef } from '@coffer/sdk';
import { secretPath } from '../secret-path.js';
import type { KeyMetadata } from './kv-store.js';
import type { KvV2Context } from './kv-v2-context.js';
import { isDeleted, requestedVersions, scheduledDeletion } from './version-rules.js';

const versionsField = {
  versions: { type: 'int-list', description: 'Version numbers, as a list or a comma-separated string' },
} as const;

/**
 * `delete/<path>`, `undelete/<path>`, `destroy/<path>`: act on listed versions. Unknown versions are
 * skipped and a missing secret is a no-op (204), as in Vault; a destroyed version stays destroyed.
 */
export function versionPaths(ctx: KvV2Context): PathDef[] {
  return [
    definePath({
      pattern: 'delete/(?<path>.*)',
      summary: 'Mark versions as deleted (reversible).',
      fields: versionsField,
      operations: {
        update: async (request) => {
          const path = secretPath(request.params.path);
          const versions = requestedVersions(request.fields.versions, 'No version number provided');
          await withMetadata(ctx, path, async (metadata) => {
            const now = ctx.now();
            for (const version of kept(metadata, versions)) {
              if (!isDeleted(version, now)) version.deletionTime = now;
            }
          });
          return undefined;
        },
      },
    }),
    definePath({
      pattern: 'undelete/(?<path>.*)',
      summary: 'Restore deleted versions.',
      fields: versionsField,
      operations: {
        update: async (request) => {
          const path = secretPath(request.params.path);
          const versions = requestedVersions(request.fields.versions, 'No version number provided');
          await withMetadata(ctx, path, async (metadata) => {
            const config = await ctx.store.readConfig();
            // Vault re-arms delete_version_after from the time of the undelete.
            const deletionTime = scheduledDeletion(ctx.now(), config, metadata);
            for (const version of kept(metadata, versions)) version.deletionTime = deletionTime;
          });
          return undefined;
        },
      },
    }),
    definePath({
      pattern: 'destroy/(?<path>.*)',
      summary: 'Permanently remove the data of versions.',
      fields: versionsField,
      operations: {
        update: async (request) => {
          const path = secretPath(request.params.path);
          const versions = requestedVersions(request.fields.versions, 'no version number provided');
          await withMetadata(ctx, path, async (metadata) => {
            for (const version of kept(metadata, versions)) version.destroyed = true;
            // The metadata is written (by withMetadata) before the data goes, so no reader ever
            // finds a readable version without its data. Vault deletes every listed number.
            return async () => {
              for (const number of versions) await ctx.store.deleteVersion(path, number);
            };
          });
          return undefined;
        },
      },
    }),
  ];
}

/**
 * Runs a change on a secret's metadata under its write lock and stores the result; the change may
 * return a step to run once the metadata is stored. A missing secret is left alone.
 */
async function withMetadata(
  ctx: KvV2Context,
  path: string,
  change: (metadata: KeyMetadata) => Promise<(() => Promise<void>) | void>,
): Promise<void> {
  await ctx.locks.write(path, async () => {
    const metadata = await ctx.store.readMetadata(path);
    if (!metadata) return;
    const after = await change(metadata);
    await ctx.store.writeMetadata(path, metadata);
    if (after) await after();
  });
}

/** The listed versions that still exist and are not destroyed (nothing else can change). */
function* kept(metadata: KeyMetadata, numbers: number[]) {
  for (const number of numbers) {
    const version = metadata.versions[String(number)];
    if (version && !version.destroyed) yield version;
  }
}
