import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, usageError } from '../exit-codes.js';
import { kvApiPath } from '../kv-mount.js';
import type { Secret } from '../secret.js';
import { kvTarget, versionList, withMount, type KvOptions } from './kv-common.js';
import { action, api, collect, optionsOf, printSecret } from './shared.js';

type VersionsOptions = KvOptions & { versions?: string[] };

function done(ctx: Context, secret: Secret | undefined, message: string): number {
  if (secret) return printSecret(ctx, secret);
  if (ctx.format === 'table') ctx.out(message);
  return EXIT.ok;
}

/** `kv delete` (soft), `kv undelete`, `kv destroy`. */
export function registerKvVersions(kv: Command, ctx: Context): void {
  action(
    ctx,
    withMount(
      kv
        .command('delete')
        .description('Delete versions of a secret (KV v2: reversibly) or the secret (KV v1)')
        .argument('<path>')
        .option('--versions <list>', 'versions to delete, e.g. 1,2 (KV v2); the latest if absent', collect),
    ),
    async (...args) => {
      const options = optionsOf<VersionsOptions>(args);
      const { client, target } = await kvTarget(ctx, args[0] as string, options);
      const versions = versionList(options.versions);
      const fullPath = kvApiPath(target, 'data');
      const secret = await api(`Error deleting ${fullPath}`, () => {
        if (!target.v2) return client.delete(fullPath);
        if (versions.length > 0) return client.write(kvApiPath(target, 'delete'), { versions });
        return client.delete(fullPath);
      });
      return done(ctx, secret, `Success! Data deleted (if it existed) at: ${fullPath}`);
    },
  );

  for (const [name, verb, description] of [
    ['undelete', 'undelete', 'Undelete versions of a secret'],
    ['destroy', 'destroy', 'Permanently destroy versions of a secret'],
  ] as const) {
    action(
      ctx,
      withMount(
        kv
          .command(name)
          .description(description)
          .argument('<path>')
          .option('--versions <list>', `versions to ${verb}, e.g. 1,2`, collect),
      ),
      async (...args) => {
        const options = optionsOf<VersionsOptions>(args);
        const versions = versionList(options.versions);
        if (versions.length === 0) {
          throw usageError(`No versions provided, use the "-versions" flag to specify the version to ${verb}.`);
        }
        const { client, target } = await kvTarget(ctx, args[0] as string, options);
        if (!target.v2) throw usageError(`${name === 'undelete' ? 'Undelete' : 'Destroy'} not supported on KV Version 1`);
        const path = kvApiPath(target, verb);
        const secret = await api(`Error writing data to ${path}`, () => client.write(path, { versions }));
        return done(ctx, secret, `Success! Data written to: ${path}`);
      },
    );
  }
}
