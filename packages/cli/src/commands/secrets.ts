import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { table, toJson } from '../output.js';
import { dataOf, isRecord } from '../secret.js';
import { action, api, collectMap, ensureTrailingSlash, integer, optionsOf, sanitizePath } from './shared.js';

interface EnableOptions {
  path?: string;
  description?: string;
  defaultLeaseTtl?: string;
  maxLeaseTtl?: string;
  version?: number;
  options?: Record<string, string>;
  local?: boolean;
  sealWrap?: boolean;
  forceNoCache?: boolean;
}

/** `secrets enable|disable|list|tune`: the sys/mounts table. */
export function registerSecretsCommands(program: Command, ctx: Context): void {
  const secrets = program.command('secrets').description('Interact with secrets engines');

  action(
    ctx,
    secrets
      .command('enable')
      .description('Enable a secrets engine')
      .argument('<type>')
      .option('--path <path>', 'where to mount it; the type by default')
      .option('--description <text>', 'a human-friendly description')
      .option('--default-lease-ttl <duration>', 'default lease TTL, e.g. 1h')
      .option('--max-lease-ttl <duration>', 'maximum lease TTL, e.g. 24h')
      .option('--version <n>', 'engine version (kv: 1 or 2)', integer('version'))
      .option('--options <k=v>', 'an engine option; repeatable', collectMap)
      .option('--local', 'do not replicate the mount')
      .option('--seal-wrap', 'seal-wrap the engine\'s critical values')
      .option('--force-no-cache', 'disable caching for this engine'),
    async (...args) => {
      const type = (args[0] as string).trim();
      const o = optionsOf<EnableOptions>(args);
      const mountPath = ensureTrailingSlash(sanitizePath(o.path ?? type));
      const engineOptions = { ...(o.options ?? {}), ...(o.version !== undefined && o.version > 0 ? { version: String(o.version) } : {}) };
      const config: Record<string, unknown> = {};
      if (o.defaultLeaseTtl !== undefined) config.default_lease_ttl = o.defaultLeaseTtl;
      if (o.maxLeaseTtl !== undefined) config.max_lease_ttl = o.maxLeaseTtl;
      if (o.forceNoCache) config.force_no_cache = true;
      const body: Record<string, unknown> = {
        type,
        description: o.description ?? '',
        config,
        ...(Object.keys(engineOptions).length > 0 ? { options: engineOptions } : {}),
        ...(o.local ? { local: true } : {}),
        ...(o.sealWrap ? { seal_wrap: true } : {}),
      };
      const client = await ctx.client();
      await api('Error enabling', () => client.write(`sys/mounts/${mountPath}`, body));
      ctx.out(`Success! Enabled the ${type} secrets engine at: ${mountPath}`);
      return EXIT.ok;
    },
  );

  action(ctx, secrets.command('disable').description('Disable a secrets engine').argument('<path>'), async (...args) => {
    const path = ensureTrailingSlash(sanitizePath(args[0] as string));
    const client = await ctx.client();
    await api(`Error disabling secrets engine at ${path}`, () => client.delete(`sys/mounts/${path}`));
    ctx.out(`Success! Disabled the secrets engine (if it existed) at: ${path}`);
    return EXIT.ok;
  });

  action(ctx, secrets.command('list').description('List enabled secrets engines'), async () => {
    const client = await ctx.client();
    const secret = await api('Error listing secrets engines', () => client.read('sys/mounts'));
    const mounts = dataOf(secret) ?? {};
    if (ctx.format === 'json') {
      ctx.out(toJson(mounts));
      return EXIT.ok;
    }
    const rows = Object.keys(mounts)
      .sort()
      .map((path) => {
        const mount = isRecord(mounts[path]) ? mounts[path] : {};
        return [path, String(mount.type ?? ''), String(mount.accessor ?? ''), String(mount.description ?? '')];
      });
    ctx.out(table([['Path', 'Type', 'Accessor', 'Description'], ...rows]));
    return EXIT.ok;
  });

  action(
    ctx,
    secrets
      .command('tune')
      .description('Tune a secrets engine')
      .argument('<path>')
      .option('--default-lease-ttl <duration>', 'default lease TTL, e.g. 1h ("system": inherit)')
      .option('--max-lease-ttl <duration>', 'maximum lease TTL, e.g. 24h ("system": inherit)')
      .option('--description <text>', 'a new description')
      .option('--options <k=v>', 'an engine option; repeatable', collectMap),
    async (...args) => {
      const path = ensureTrailingSlash(sanitizePath(args[0] as string));
      const o = optionsOf<{ defaultLeaseTtl?: string; maxLeaseTtl?: string; description?: string; options?: Record<string, string> }>(args);
      const body: Record<string, unknown> = {};
      if (o.defaultLeaseTtl !== undefined) body.default_lease_ttl = o.defaultLeaseTtl;
      if (o.maxLeaseTtl !== undefined) body.max_lease_ttl = o.maxLeaseTtl;
      if (o.description !== undefined) body.description = o.description;
      if (o.options !== undefined) body.options = o.options;
      const client = await ctx.client();
      await api(`Error tuning secrets engine ${path}`, () => client.write(`sys/mounts/${path}tune`, body));
      ctx.out(`Success! Tuned the secrets engine at: ${path}`);
      return EXIT.ok;
    },
  );
}
