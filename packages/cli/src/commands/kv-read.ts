import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, remoteError, usageError } from '../exit-codes.js';
import { kvApiPath } from '../kv-mount.js';
import { headerForMap, mapTable, pathHeader, warningsText } from '../output.js';
import { dataOf, isRecord } from '../secret.js';
import { kvTarget, withMount, type KvOptions } from './kv-common.js';
import { action, api, integer, optionsOf, printField, printList, printSecret, secretField } from './shared.js';

/** `kv get` and `kv list`. */
export function registerKvRead(kv: Command, ctx: Context): void {
  action(
    ctx,
    withMount(
      kv
        .command('get')
        .description('Retrieve data')
        .argument('<path>')
        .option('--version <n>', 'the version to read (KV v2); the latest if absent', integer('version'))
        .option('--field <name>', 'print only this field of the data, raw'),
    ),
    async (...args) => {
      const options = optionsOf<KvOptions & { version?: number; field?: string }>(args);
      const { client, target } = await kvTarget(ctx, args[0] as string, options);
      const fullPath = kvApiPath(target, 'data');
      const query = target.v2 && options.version !== undefined && options.version > 0 ? { version: String(options.version) } : undefined;
      const secret = await api(`Error reading ${fullPath}`, () => client.read(fullPath, query));
      if (!secret) throw remoteError(`No value found at ${fullPath}`);

      if (options.field !== undefined) {
        if (!target.v2) return printField(ctx, secretField(secret, options.field), options.field, 'secret');
        const inner = dataOf(secret)?.data;
        if (!isRecord(inner)) throw remoteError(`No data found at ${fullPath}`);
        // `-field=data` means the data block itself, unless the secret has a key called data.
        if (options.field === 'data' && !('data' in inner)) return printField(ctx, inner, 'data', 'secret');
        return printField(ctx, inner[options.field], options.field, 'map');
      }
      if (ctx.format !== 'table') return printSecret(ctx, secret);

      const warnings = warningsText(secret);
      if (warnings) ctx.err(warnings);
      if (target.v2) ctx.out(pathHeader('Secret Path', fullPath));
      const all = dataOf(secret);
      const metadata = all?.metadata;
      if (isRecord(metadata)) {
        ctx.out(headerForMap('Metadata', metadata));
        ctx.out(mapTable(metadata));
        ctx.out('');
      }
      const data = target.v2 ? (isRecord(all?.data) ? all.data : undefined) : all;
      if (data) {
        ctx.out(headerForMap('Data', data));
        const text = mapTable(data);
        if (text) ctx.out(text);
      }
      return EXIT.ok;
    },
  );

  action(
    ctx,
    withMount(kv.command('list').description('List data or secrets').argument('[path]')),
    async (...args) => {
      const options = optionsOf<KvOptions>(args);
      const given = args[0] as string | undefined;
      if (given === undefined && options.mount === undefined) throw usageError('Not enough arguments (expected 1, got 0)');
      const { client, target } = await kvTarget(ctx, given ?? '', options);
      const fullPath = kvApiPath(target, 'metadata');
      const secret = await api(`Error listing ${fullPath}`, () => client.list(fullPath));
      return printList(ctx, secret, fullPath);
    },
  );
}
