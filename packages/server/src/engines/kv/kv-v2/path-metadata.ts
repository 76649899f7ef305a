import { CofferError, definePath, formatDuration, type LogicalResponse, type PathDef } from '@coffer/sdk';
import { isValidSecretPath, listPrefix, secretPath } from '../secret-path.js';
import { parseCustomMetadata, validateCustomMetadata } from './custom-metadata.js';
import type { KeyMetadata } from './kv-store.js';
import type { KvV2Context } from './kv-v2-context.js';
import { nonNegative } from './path-config.js';
import { customMetadataView, formatTime, newKeyMetadata } from './version-rules.js';

const metadataFields = {
  max_versions: { type: 'int', description: "Versions kept for this key; 0 uses the engine's" },
  cas_required: { type: 'bool', description: 'Require options.cas on writes to this key' },
  delete_version_after: { type: 'duration', description: 'Duration before versions read as deleted; 0 clears' },
  custom_metadata: { type: 'map', description: 'Up to 64 string pairs describing the secret' },
} as const;

const CAS_IGNORED_WARNING = '"cas_required" set to false, but is mandated by backend config. This value will be ignored.';

/** The settings a metadata write or patch may carry, parsed. */
interface MetadataChange {
  maxVersions?: number;
  casRequired?: boolean;
  deleteVersionAfter?: number;
  customMetadata?: Record<string, unknown>;
}

/** `metadata/<path>`: a secret's settings and version states; LIST walks the key tree. */
export function metadataPaths(ctx: KvV2Context): PathDef[] {
  return [
    definePath({
      pattern: 'metadata/(?<path>.*)',
      summary: "Read and configure a secret's metadata, delete it with all versions, list secrets.",
      fields: metadataFields,
      exists: async (request) => {
        const path = request.params.path;
        return isValidSecretPath(path) && (await ctx.store.readMetadata(path)) !== undefined;
      },
      operations: {
        read: async (request) => {
          const path = secretPath(request.params.path);
          const metadata = await ctx.locks.read(path, () => ctx.store.readMetadata(path));
          return metadata ? { data: metadataView(metadata) } : undefined;
        },
        update: async (request) => {
          const path = secretPath(request.params.path);
          const change = parseChange(request.fields);
          if (Object.keys(change).length === 0) return undefined;
          if (change.customMetadata) validateCustomMetadata(parseCustomMetadata(change.customMetadata, false));
          return ctx.locks.write(path, async () => {
            const metadata = (await ctx.store.readMetadata(path)) ?? newKeyMetadata(ctx.now());
            applyChange(metadata, change, false);
            await ctx.store.writeMetadata(path, metadata);
            return casWarning(ctx, change);
          });
        },
        patch: async (request) => {
          const path = secretPath(request.params.path);
          const change = parseChange(request.fields);
          if (change.customMetadata) validateCustomMetadata(parseCustomMetadata(change.customMetadata, true));
          return ctx.locks.write(path, async () => {
            const metadata = await ctx.store.readMetadata(path);
            if (!metadata) throw new CofferError('not_found', 'no secret at this path');
            applyChange(metadata, change, true);
            await ctx.store.writeMetadata(path, metadata);
            return casWarning(ctx, change);
          });
        },
        delete: async (request) => {
          const path = secretPath(request.params.path);
          await ctx.locks.write(path, async () => {
            // Data first: should this fail midway, the metadata still lists what remains.
            await ctx.store.deleteAllVersions(path);
            await ctx.store.deleteMetadata(path);
          });
          return undefined;
        },
        list: async (request) => {
          const keys = await ctx.store.listKeys(listPrefix(request.params.path));
          return keys.length === 0 ? undefined : { data: { keys } };
        },
      },
    }),
  ];
}

/** Vault's metadata read, keys in its (sorted) order. */
function metadataView(metadata: KeyMetadata): Record<string, unknown> {
  const versions = Object.fromEntries(
    Object.entries(metadata.versions).map(([number, version]) => [
      number,
      {
        created_time: formatTime(version.createdTime),
        deletion_time: formatTime(version.deletionTime),
        destroyed: version.destroyed,
      },
    ]),
  );
  return {
    cas_required: metadata.casRequired,
    created_time: formatTime(metadata.createdTime),
    current_version: metadata.currentVersion,
    custom_metadata: customMetadataView(metadata),
    delete_version_after: formatDuration(metadata.deleteVersionAfter),
    max_versions: metadata.maxVersions,
    oldest_version: metadata.oldestVersion,
    updated_time: formatTime(metadata.updatedTime),
    versions,
  };
}

function parseChange(fields: {
  max_versions?: number;
  cas_required?: boolean;
  delete_version_after?: number;
  custom_metadata?: Record<string, unknown>;
}): MetadataChange {
  return {
    ...(fields.max_versions !== undefined ? { maxVersions: nonNegative(fields.max_versions, 'max_versions') } : {}),
    ...(fields.cas_required !== undefined ? { casRequired: fields.cas_required } : {}),
    ...(fields.delete_version_after !== undefined ? { deleteVersionAfter: fields.delete_version_after } : {}),
    ...(fields.custom_metadata !== undefined ? { customMetadata: fields.custom_metadata } : {}),
  };
}

/**
 * A write replaces custom_metadata; a patch merges into it, a null value removing the key (JSON
 * merge patch, as Vault). Settings not in the request keep their values. Neither touches
 * updated_time, which Vault moves only when a version is added.
 */
function applyChange(metadata: KeyMetadata, change: MetadataChange, merge: boolean): void {
  if (change.maxVersions !== undefined) metadata.maxVersions = change.maxVersions;
  if (change.casRequired !== undefined) metadata.casRequired = change.casRequired;
  if (change.deleteVersionAfter !== undefined) metadata.deleteVersionAfter = change.deleteVersionAfter;
  if (change.customMetadata === undefined) return;
  const incoming = parseCustomMetadata(change.customMetadata, merge);
  if (!merge) {
    metadata.customMetadata = incoming;
    return;
  }
  const merged = new Map(Object.entries(metadata.customMetadata));
  for (const [key, value] of Object.entries(change.customMetadata)) {
    if (value === null) merged.delete(key);
    else merged.set(key, incoming[key] as string);
  }
  metadata.customMetadata = Object.fromEntries(merged);
  // Vault checks only the patch; checking the result too keeps a key within 64 entries.
  validateCustomMetadata(metadata.customMetadata);
}

async function casWarning(ctx: KvV2Context, change: MetadataChange): Promise<LogicalResponse | undefined> {
  if (change.casRequired !== false) return undefined;
  const config = await ctx.store.readConfig();
  return config.casRequired ? { warnings: [CAS_IGNORED_WARNING] } : undefined;
}
