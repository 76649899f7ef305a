import { CofferError, definePath, type LogicalResponse, type PathDef } from '@coffer/sdk';
import { isValidSecretPath, secretPath } from '../secret-path.js';
import type { KeyMetadata, KvConfig } from './kv-store.js';
import type { KvV2Context } from './kv-v2-context.js';
import { mergePatch } from './json-shapes.js';
import {
  addVersion,
  checkCas,
  isDeleted,
  isReadable,
  newKeyMetadata,
  requestedVersion,
  scheduledDeletion,
  versionView,
} from './version-rules.js';

/**
 * `data/<path>`: read a version, write a new one (with check-and-set), merge-patch the current one,
 * soft-delete the current one.
 */
export function dataPaths(ctx: KvV2Context): PathDef[] {
  return [
    definePath({
      pattern: 'data/(?<path>.*)',
      summary: 'Write, patch, read and delete versions of a secret.',
      fields: {
        version: { type: 'int', description: 'Version to read; absent or 0 reads the current one' },
        options: { type: 'map', description: 'Write options; "cas" must equal the current version (0: create only)' },
        data: { type: 'map', description: 'The secret: any JSON object', sensitive: true },
      },
      exists: async (request) => {
        const path = request.params.path;
        return isValidSecretPath(path) && (await ctx.store.readMetadata(path)) !== undefined;
      },
      operations: {
        read: async (request) => {
          const path = secretPath(request.params.path);
          const wanted = requestedVersion(request.fields.version);
          return ctx.locks.read(path, () => readVersion(ctx, path, wanted));
        },
        update: async (request) => {
          const path = secretPath(request.params.path);
          const data = request.fields.data;
          if (data === undefined) throw new CofferError('invalid_request', 'no data provided');
          return ctx.locks.write(path, async () => {
            const config = await ctx.store.readConfig();
            const metadata = (await ctx.store.readMetadata(path)) ?? newKeyMetadata(ctx.now());
            checkCas(request.fields.options, config, metadata);
            return appendVersion(ctx, path, metadata, config, data);
          });
        },
        patch: async (request) => {
          const path = secretPath(request.params.path);
          const patch = request.fields.data;
          if (patch === undefined) throw new CofferError('invalid_request', 'no data provided');
          return ctx.locks.write(path, () => patchCurrent(ctx, path, request.fields.options, patch));
        },
        delete: async (request) => {
          const path = secretPath(request.params.path);
          await ctx.locks.write(path, () => softDeleteCurrent(ctx, path));
          return undefined;
        },
      },
    }),
  ];
}

async function readVersion(ctx: KvV2Context, path: string, wanted: number): Promise<LogicalResponse | undefined> {
  const metadata = await ctx.store.readMetadata(path);
  if (!metadata) return undefined;
  const number = wanted > 0 ? wanted : metadata.currentVersion;
  const version = metadata.versions[String(number)];
  if (!version) return undefined;
  const view = versionView(number, version, metadata);
  // Vault answers 404 but keeps the version's metadata in the body: clients inspect it.
  if (!isReadable(version, ctx.now())) return { status: 404, data: { data: null, metadata: view } };
  const record = await ctx.store.readVersion(path, number);
  if (!record) throw missingVersionData(path, number);
  return { data: { data: record.data, metadata: view } };
}

/** Patch applies to the current version only, which must exist and be readable. */
async function patchCurrent(
  ctx: KvV2Context,
  path: string,
  options: Record<string, unknown> | undefined,
  patch: Record<string, unknown>,
): Promise<LogicalResponse> {
  const metadata = await ctx.store.readMetadata(path);
  if (!metadata) throw notFound();
  const config = await ctx.store.readConfig();
  checkCas(options, config, metadata);
  const number = metadata.currentVersion;
  const current = metadata.versions[String(number)];
  if (!current) throw notFound();
  // As Vault: 404 with the current version's metadata (flat, as a write response) as the body.
  if (!isReadable(current, ctx.now())) return { status: 404, data: versionView(number, current, metadata) };
  const record = await ctx.store.readVersion(path, number);
  if (!record) throw missingVersionData(path, number);
  const patched = mergePatch(record.data, patch) as Record<string, unknown>;
  return appendVersion(ctx, path, metadata, config, patched);
}

/**
 * Stores `data` as the next version with the metadata pointing to it and the deletion of the
 * versions that leave the window, in one storage batch (one round trip on etcd, all or nothing).
 * Versions past what one batch holds (after max_versions was lowered) are deleted after it; if
 * that fails, the write has happened: a warning, as Vault gives, and the records stay until the
 * secret's metadata is deleted, which sweeps its whole version folder.
 */
async function appendVersion(
  ctx: KvV2Context,
  path: string,
  metadata: KeyMetadata,
  config: KvConfig,
  data: Record<string, unknown>,
): Promise<LogicalResponse> {
  const now = ctx.now();
  const number = metadata.currentVersion + 1;
  const version = { createdTime: now, deletionTime: scheduledDeletion(now, config, metadata), destroyed: false };
  const keptFrom = Math.max(metadata.oldestVersion, 0);
  const trimUpTo = addVersion(metadata, version, config);
  const dropped = trimUpTo > 0 ? range(keptFrom, trimUpTo) : [];
  const rest = await ctx.store.commitVersion(path, number, { createdTime: now, data }, metadata, dropped);
  const response: LogicalResponse = { data: versionView(number, version, metadata) };
  if (rest.length > 0) {
    try {
      await ctx.store.deleteVersionList(path, rest);
    } catch (error) {
      ctx.logger.warn({ err: error }, 'kv: deleting old versions failed; they stay until the secret metadata is deleted');
      response.warnings = ['error occurred when cleaning up old versions, these will be cleaned up on next write'];
    }
  }
  return response;
}

/** The whole numbers from `from` to `to`, both included. */
function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** Marks the current version deleted now; nothing to do if it is gone, destroyed or deleted already. */
async function softDeleteCurrent(ctx: KvV2Context, path: string): Promise<void> {
  const metadata = await ctx.store.readMetadata(path);
  if (!metadata) return;
  const current = metadata.versions[String(metadata.currentVersion)];
  const now = ctx.now();
  if (!current || current.destroyed || isDeleted(current, now)) return;
  current.deletionTime = now;
  await ctx.store.writeMetadata(path, metadata);
}

function notFound(): CofferError {
  return new CofferError('not_found', 'no secret at this path');
}

function missingVersionData(path: string, version: number): CofferError {
  return new CofferError('internal', 'internal error', {
    cause: new Error(`could not find data of version ${version} of ${path}`),
  });
}
