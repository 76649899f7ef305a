import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, remoteError, usageError } from '../exit-codes.js';
import { kvApiPath } from '../kv-mount.js';
import { headerForMap, mapTable, pathHeader, secretTable } from '../output.js';
import { dataOf, isRecord } from '../secret.js';
import { kvTarget, withMount, type KvOptions } from './kv-common.js';
import { action, api, collectMap, integer, optionsOf, printSecret } from './shared.js';

const notV1 = () => usageError('Metadata not supported on KV Version 1');

/** `kv metadata get|put|delete` (KV v2 only). */
export function registerKvMetadata(kv: Command, ctx: Context): void {
  const metadata = kv.command('metadata').description('Interact with the metadata of KV v2 secrets');

  action(
    ctx,
    withMount(metadata.command('get').description('Retrieve the metadata and versions of a secret').argument('<path>')),
    async (...args) => {
      const { client, target } = await kvTarget(ctx, args[0] as string, optionsOf<KvOptions>(args));
      if (!target.v2) throw notV1();
      const fullPath = kvApiPath(target, 'metadata');
      const secret = await api(`Error reading ${fullPath}`, () => client.read(fullPath));
      if (!secret) throw remoteError(`No value found at ${fullPath}`);
      if (ctx.format !== 'table') return printSecret(ctx, secret);

      const { versions, ...rest } = dataOf(secret) ?? {};
      if (!isRecord(versions)) throw remoteError(`No value found at ${fullPath}`);
      ctx.out(pathHeader('Metadata Path', fullPath));
      ctx.out(headerForMap('Metadata', rest));
      const text = secretTable({ ...secret, data: rest }, { showToken: false });
      if (text) ctx.out(text);
      for (const number of Object.keys(versions).map(Number).sort((a, b) => a - b)) {
        const version = versions[String(number)];
        if (!isRecord(version)) continue;
        ctx.out(`\n${headerForMap(`Version ${number}`, version)}`);
        ctx.out(mapTable(version));
      }
      return EXIT.ok;
    },
  );

  action(
    ctx,
    withMount(
      metadata
        .command('put')
        .description('Set or update the metadata of a secret')
        .argument('<path>')
        .option('--max-versions <n>', 'versions to keep (0: the mount setting)', integer('max-versions'))
        .option('--cas-required', 'require check-and-set on writes')
        .option('--no-cas-required', 'do not require check-and-set on writes')
        .option('--delete-version-after <duration>', 'delete versions this long after writing, e.g. 30m; 0s: never')
        .option('--custom-metadata <k=v>', 'a key/value pair of custom metadata; repeatable', collectMap),
    ),
    async (...args) => {
      const options = optionsOf<
        KvOptions & { maxVersions?: number; casRequired?: boolean; deleteVersionAfter?: string; customMetadata?: Record<string, string> }
      >(args);
      const { client, target } = await kvTarget(ctx, args[0] as string, options);
      if (!target.v2) throw notV1();
      const fullPath = kvApiPath(target, 'metadata');
      const body: Record<string, unknown> = {};
      if (options.maxVersions !== undefined && options.maxVersions >= 0) body.max_versions = options.maxVersions;
      if (options.deleteVersionAfter !== undefined) body.delete_version_after = options.deleteVersionAfter;
      if (options.casRequired !== undefined) body.cas_required = options.casRequired;
      if (options.customMetadata && Object.keys(options.customMetadata).length > 0) body.custom_metadata = options.customMetadata;
      const secret = await api(`Error writing data to ${fullPath}`, () => client.write(fullPath, body));
      if (secret) return printSecret(ctx, secret);
      if (ctx.format === 'table') ctx.out(`Success! Data written to: ${fullPath}`);
      return EXIT.ok;
    },
  );

  action(
    ctx,
    withMount(metadata.command('delete').description('Delete a secret and all its versions').argument('<path>')),
    async (...args) => {
      const { client, target } = await kvTarget(ctx, args[0] as string, optionsOf<KvOptions>(args));
      if (!target.v2) throw notV1();
      const fullPath = kvApiPath(target, 'metadata');
      await api(`Error deleting ${fullPath}`, () => client.delete(fullPath));
      ctx.out(`Success! Data deleted (if it existed) at: ${fullPath}`);
      return EXIT.ok;
    },
  );
}
