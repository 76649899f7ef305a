import type { Command } from 'commander';
import type { ApiClient } from '../client.js';
import type { Context } from '../context.js';
import { resolveKvTarget, type KvTarget } from '../kv-mount.js';
import { headerForMap, mapTable, pathHeader } from '../output.js';
import { api, sanitizePath } from './shared.js';

export interface KvOptions {
  mount?: string;
}

/** Every kv command takes `-mount`. */
export function withMount(command: Command): Command {
  return command.option(
    '--mount <path>',
    'the KV mount; the argument is then the path inside it (otherwise it is mount/path)',
  );
}

/** The client and the resolved target for a kv command's path argument. */
export async function kvTarget(ctx: Context, path: string, options: KvOptions): Promise<{ client: ApiClient; target: KvTarget }> {
  const client = await ctx.client();
  const clean = sanitizePath(path);
  const mount = options.mount === undefined ? undefined : sanitizePath(options.mount);
  const target = await api(undefined, () => resolveKvTarget(client, clean, mount));
  return { client, target };
}

/** `== Secret Path ==` then the version metadata table, as kv put and patch print a v2 write. */
export function printWriteMetadata(ctx: Context, fullPath: string, metadata: Record<string, unknown>): void {
  ctx.out(pathHeader('Secret Path', fullPath));
  ctx.out(headerForMap('Metadata', metadata));
  const text = mapTable(metadata);
  if (text) ctx.out(text);
}

/** `-versions=1,2 -versions=3` as Vault sends them: a flat list of strings. */
export function versionList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}
