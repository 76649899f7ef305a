import type { Command } from 'commander';
import { ResponseError } from '../api-error.js';
import type { ApiClient } from '../client.js';
import type { Context } from '../context.js';
import { EXIT, remoteError, usageError } from '../exit-codes.js';
import { kvApiPath } from '../kv-mount.js';
import { dataOf, isRecord, type Secret } from '../secret.js';
import { kvTarget, printWriteMetadata, withMount, type KvOptions } from './kv-common.js';
import { action, api, collect, integer, optionsOf, parseData, printField, printSecret, rethrow, secretField } from './shared.js';

/** What kv put and patch print after a write. */
function printWritten(ctx: Context, fullPath: string, secret: Secret | undefined, field: string | undefined, v2: boolean): number {
  if (!secret) {
    if (ctx.format === 'table') ctx.out(`Success! Data written to: ${fullPath}`);
    return EXIT.ok;
  }
  if (field !== undefined) return printField(ctx, secretField(secret, field), field, 'secret');
  const metadata = dataOf(secret);
  if (ctx.format === 'table' && v2 && metadata) {
    printWriteMetadata(ctx, fullPath, metadata);
    return EXIT.ok;
  }
  return printSecret(ctx, secret);
}

/** `kv put` and `kv patch`. */
export function registerKvWrite(kv: Command, ctx: Context): void {
  action(
    ctx,
    withMount(
      kv
        .command('put')
        .description('Set or update data in the KV store')
        .argument('<path>')
        .argument('[data...]', 'k=v pairs, k=@file, k=-, @file.json or - (JSON on stdin)')
        .option('--cas <n>', 'check-and-set: 0 writes only if absent, N only if N is the current version', integer('cas'))
        .option('--field <name>', 'print only this field, raw'),
    ),
    async (...args) => {
      const [path, rawData] = args as [string, string[]];
      const options = optionsOf<KvOptions & { cas?: number; field?: string }>(args);
      if (rawData.length === 0) throw usageError('Must supply data');
      const data = await parseData(ctx, rawData);
      const { client, target } = await kvTarget(ctx, path, options);
      const fullPath = kvApiPath(target, 'data');
      const body = target.v2
        ? { data, options: options.cas !== undefined && options.cas > -1 ? { cas: options.cas } : {} }
        : data;
      const secret = await api(`Error writing data to ${fullPath}`, () => client.write(fullPath, body));
      return printWritten(ctx, fullPath, secret, options.field, target.v2);
    },
  );

  action(
    ctx,
    withMount(
      kv
        .command('patch')
        .description('Set or update data in the KV store without overwriting')
        .argument('<path>')
        .argument('[data...]', 'k=v pairs, k=@file, k=-, @file.json or - (JSON on stdin)')
        .option('--cas <n>', 'check-and-set: patch only if N is the current version', integer('cas'))
        .option('--method <method>', '"patch" (HTTP PATCH) or "rw" (read, then write with check-and-set)')
        .option('--remove-data <key>', 'a key to remove; repeatable', collect)
        .option('--field <name>', 'print only this field, raw'),
    ),
    async (...args) => {
      const [path, rawData] = args as [string, string[]];
      const options = optionsOf<KvOptions & { cas?: number; method?: string; removeData?: string[]; field?: string }>(args);
      const removals = options.removeData ?? [];
      if (rawData.length === 0 && removals.length === 0) throw usageError('Must supply data');
      if (options.method !== undefined && !['patch', 'rw'].includes(options.method)) {
        throw usageError(`Unsupported method provided to -method flag: ${options.method}`);
      }
      const data = await parseData(ctx, rawData);
      for (const key of removals) data[key] = null;
      const { client, target } = await kvTarget(ctx, path, options);
      if (!target.v2) throw remoteError('K/V engine mount must be version 2 for patch support');
      const fullPath = kvApiPath(target, 'data');

      let secret: Secret | undefined;
      if (options.method === 'rw') {
        secret = await readThenWrite(client, fullPath, data);
      } else {
        const body = { data, options: options.cas !== undefined && options.cas > 0 ? { cas: options.cas } : {} };
        try {
          secret = await client.mergePatch(fullPath, body);
        } catch (error) {
          const fallback = options.method === undefined && error instanceof ResponseError && [403, 405].includes(error.status);
          if (!fallback) rethrow(`Error writing data to ${fullPath}`, error);
          // Vault's CLI falls back to read-then-write for servers or policies without PATCH.
          if (error.status === 403) {
            ctx.err(
              `Data was written to ${fullPath} but we recommend that you add the "patch" capability to your ACL policy in order to use HTTP PATCH in the future.`,
            );
          }
          secret = await readThenWrite(client, fullPath, data);
        }
      }
      return printWritten(ctx, fullPath, secret, options.field, true);
    },
  );
}

/** Patch by hand: read the current version, merge at the top level, write it back with cas. */
async function readThenWrite(client: ApiClient, path: string, patch: Record<string, unknown>): Promise<Secret | undefined> {
  const current = await api(`Error doing pre-read at ${path}`, () => client.read(path));
  const all = dataOf(current);
  if (!all) throw remoteError(`No value found at ${path}`);
  if (!isRecord(all.metadata)) throw remoteError(`No metadata found at ${path}; patch only works on existing data`);
  if (!isRecord(all.data)) throw remoteError(`No data found at ${path}; patch only works on existing data`);
  const body = { data: { ...all.data, ...patch }, options: { cas: all.metadata.version } };
  return api(`Error writing data to ${path}`, () => client.write(path, body));
}
