import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { goValue } from '../go-format.js';
import { table, toJson } from '../output.js';
import { dataOf, isRecord } from '../secret.js';
import { action, api, collectMap, duration, ensureTrailingSlash, integer, optionsOf, sanitizePath } from './shared.js';

interface EnableOptions {
  path?: string;
  description?: string;
  defaultLeaseTtl?: number;
  maxLeaseTtl?: number;
  options?: Record<string, string>;
  version?: number;
  local?: boolean;
  sealWrap?: boolean;
}

interface TuneOptions {
  defaultLeaseTtl?: number;
  maxLeaseTtl?: number;
  description?: string;
  options?: Record<string, string>;
  version?: number;
}

/** Vault's engine options plus `-version=N`, which is the option `version`. */
function optionsWithVersion(options: Record<string, string> | undefined, version: number | undefined): Record<string, string> | undefined {
  if (version === undefined || version <= 0) return options;
  return { ...(options ?? {}), version: String(version) };
}

type Mount = Record<string, unknown> & { config?: Record<string, unknown> };

/** `auth list`'s two tables, as Vault's AuthListCommand lays them out. */
function mountRows(mounts: Record<string, Mount>, detailed: boolean): string[][] {
  const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
  // Vault's calcTTL: seconds as an integer, "system" when inherited; nothing for the token store's own mount.
  const ttl = (type: string, seconds: unknown) => {
    if (type === 'system' || type === 'cubbyhole') return '';
    return typeof seconds === 'number' && seconds !== 0 ? String(seconds) : 'system';
  };
  const paths = Object.keys(mounts).sort();
  if (!detailed) {
    const rows = paths.map((path) => {
      const m = mounts[path] as Mount;
      return [path, text(m.type), text(m.accessor), text(m.description), text(m.plugin_version)];
    });
    return [['Path', 'Type', 'Accessor', 'Description', 'Version'], ...rows];
  }
  const header = [
    'Path', 'Plugin', 'Accessor', 'Default TTL', 'Max TTL', 'Token Type', 'Replication', 'Seal Wrap',
    'External Entropy Access', 'Options', 'Description', 'UUID', 'Version', 'Running Version', 'Running SHA256',
    'Deprecation Status',
  ];
  const rows = paths.map((path) => {
    const m = mounts[path] as Mount;
    const type = text(m.type);
    const config = isRecord(m.config) ? m.config : {};
    return [
      path,
      type,
      text(m.accessor),
      ttl(type, config.default_lease_ttl),
      ttl(type, config.max_lease_ttl),
      text(config.token_type),
      m.local === true ? 'local' : 'replicated',
      String(m.seal_wrap === true),
      String(m.external_entropy_access === true),
      // Go's %s of a map[string]string: `map[]` when there is none.
      isRecord(m.options) ? goValue(m.options) : 'map[]',
      text(m.description),
      text(m.uuid),
      text(m.plugin_version),
      text(m.running_plugin_version),
      text(m.running_sha256),
      text(m.deprecation_status),
    ];
  });
  return [header, ...rows];
}

/** `auth enable|disable|list|tune`: the sys/auth table. */
export function registerAuthCommands(program: Command, ctx: Context): void {
  const auth = program.command('auth').description('Interact with auth methods');

  action(
    ctx,
    auth
      .command('enable')
      .description('Enable an auth method')
      .argument('<type>')
      .option('--path <path>', 'where to mount it (under auth/); the type by default')
      .option('--description <text>', 'a human-friendly description')
      .option('--default-lease-ttl <duration>', 'default lease TTL of its tokens, e.g. 1h', duration('default-lease-ttl'))
      .option('--max-lease-ttl <duration>', 'maximum lease TTL of its tokens, e.g. 24h', duration('max-lease-ttl'))
      .option('--options <k=v>', 'a mount option; repeatable', collectMap)
      .option('--version <n>', 'version of the auth method, where it has several', integer('version'))
      .option('--local', 'do not replicate the mount')
      .option('--seal-wrap', "seal-wrap the method's critical values"),
    async (...args) => {
      const type = (args[0] as string).trim();
      const o = optionsOf<EnableOptions>(args);
      const path = ensureTrailingSlash(sanitizePath(o.path ?? type));
      const config: Record<string, unknown> = {};
      if (o.defaultLeaseTtl !== undefined) config.default_lease_ttl = o.defaultLeaseTtl;
      if (o.maxLeaseTtl !== undefined) config.max_lease_ttl = o.maxLeaseTtl;
      const options = optionsWithVersion(o.options, o.version);
      const body: Record<string, unknown> = {
        type,
        description: o.description ?? '',
        config,
        ...(options ? { options } : {}),
        ...(o.local ? { local: true } : {}),
        ...(o.sealWrap ? { seal_wrap: true } : {}),
      };
      const client = await ctx.client();
      await api(`Error enabling ${type} auth`, () => client.write(`sys/auth/${path}`, body));
      ctx.out(`Success! Enabled ${type} auth method at: ${path}`);
      return EXIT.ok;
    },
  );

  action(ctx, auth.command('disable').description('Disable an auth method (revoking its tokens)').argument('<path>'), async (...args) => {
    const path = ensureTrailingSlash(sanitizePath(args[0] as string));
    const client = await ctx.client();
    await api(`Error disabling auth method at ${path}`, () => client.delete(`sys/auth/${path}`));
    ctx.out(`Success! Disabled the auth method (if it existed) at: ${path}`);
    return EXIT.ok;
  });

  action(
    ctx,
    auth
      .command('list')
      .description('List the enabled auth methods')
      .option('--detailed', 'show TTLs, options, replication and plugin details (table output only)'),
    async (...args) => {
      const { detailed } = optionsOf<{ detailed?: boolean }>(args);
      const client = await ctx.client();
      const secret = await api('Error listing enabled authentications', () => client.read('sys/auth'));
      const data = dataOf(secret) ?? {};
      if (ctx.format === 'json') {
        ctx.out(toJson(data));
        return EXIT.ok;
      }
      const mounts = Object.fromEntries(Object.entries(data).filter((entry): entry is [string, Mount] => isRecord(entry[1])));
      ctx.out(table(mountRows(mounts, detailed === true)));
      return EXIT.ok;
    },
  );

  action(
    ctx,
    auth
      .command('tune')
      .description('Tune an auth method')
      .argument('<path>')
      .option('--default-lease-ttl <duration>', 'default lease TTL of its tokens, e.g. 1h', duration('default-lease-ttl'))
      .option('--max-lease-ttl <duration>', 'maximum lease TTL of its tokens, e.g. 24h', duration('max-lease-ttl'))
      .option('--description <text>', 'a new description')
      .option('--options <k=v>', 'a mount option; repeatable', collectMap)
      .option('--version <n>', 'version of the auth method, where it has several', integer('version')),
    async (...args) => {
      const path = ensureTrailingSlash(sanitizePath(args[0] as string));
      const o = optionsOf<TuneOptions>(args);
      const body: Record<string, unknown> = {};
      // Vault's ttlToAPI: a zero duration is "not given", so it leaves the setting alone.
      if (o.defaultLeaseTtl) body.default_lease_ttl = o.defaultLeaseTtl;
      if (o.maxLeaseTtl) body.max_lease_ttl = o.maxLeaseTtl;
      if (o.description !== undefined) body.description = o.description;
      const options = optionsWithVersion(o.options, o.version);
      if (options) body.options = options;
      const client = await ctx.client();
      // Vault's CLI uses sys/mounts/auth/<path>/tune; sys/auth/<path>/tune is the same API, documented too.
      await api(`Error tuning auth method ${path}`, () => client.write(`sys/auth/${path}tune`, body));
      ctx.out(`Success! Tuned the auth method at: ${path}`);
      return EXIT.ok;
    },
  );
}
