import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, remoteError, usageError } from '../exit-codes.js';
import { action, api, optionsOf, parseData, printField, printList, printSecret, sanitizePath, secretField } from './shared.js';

/** Query parameters from `k=v` arguments (read and delete send data in the URL, as Vault). */
async function queryFrom(ctx: Context, args: readonly string[]): Promise<Record<string, string> | undefined> {
  if (args.length === 0) return undefined;
  const data = await parseData(ctx, args);
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
}

/** `read`, `write`, `delete`, `list`: the raw API at any path, as `vault` has them. */
export function registerLogicalCommands(program: Command, ctx: Context): void {
  action(
    ctx,
    program
      .command('read')
      .description('Read data and retrieve secrets')
      .argument('<path>')
      .argument('[data...]', 'query parameters as k=v')
      .option('--field <name>', 'print only this field, raw'),
    async (...args) => {
      const [rawPath, data] = args as [string, string[]];
      const { field } = optionsOf<{ field?: string }>(args);
      const path = sanitizePath(rawPath);
      const query = await queryFrom(ctx, data);
      const client = await ctx.client();
      const secret = await api(`Error reading ${path}`, () => client.read(path, query));
      if (!secret) throw remoteError(`No value found at ${path}`);
      if (field !== undefined) return printField(ctx, secretField(secret, field), field, 'secret');
      return printSecret(ctx, secret, { showToken: true });
    },
  );

  action(
    ctx,
    program
      .command('write')
      .description('Write data, configuration, and secrets')
      .argument('<path>')
      .argument('[data...]', 'k=v pairs, k=@file, k=-, @file.json or - (JSON on stdin)')
      .option('-f, --force', 'allow the write with no data')
      .option('--field <name>', 'print only this field, raw'),
    async (...args) => {
      const [rawPath, data] = args as [string, string[]];
      const { force, field } = optionsOf<{ force?: boolean; field?: string }>(args);
      if (data.length === 0 && !force) throw usageError('Must supply data or use -force');
      const path = sanitizePath(rawPath);
      const body = await parseData(ctx, data);
      const client = await ctx.client();
      const secret = await api(`Error writing data to ${path}`, () => client.write(path, body));
      if (!secret) {
        if (ctx.format === 'table') ctx.out(`Success! Data written to: ${path}`);
        return EXIT.ok;
      }
      if (field !== undefined) return printField(ctx, secretField(secret, field), field, 'secret');
      // A write can create a token (auth/token/create): the answer is its only copy.
      return printSecret(ctx, secret, { showToken: true });
    },
  );

  action(
    ctx,
    program
      .command('delete')
      .description('Delete secrets and configuration')
      .argument('<path>')
      .argument('[data...]', 'query parameters as k=v'),
    async (...args) => {
      const [rawPath, data] = args as [string, string[]];
      const path = sanitizePath(rawPath);
      const query = await queryFrom(ctx, data);
      const client = await ctx.client();
      const secret = await api(`Error deleting ${path}`, () => client.delete(path, query));
      if (!secret) {
        if (ctx.format === 'table') ctx.out(`Success! Data deleted (if it existed) at: ${path}`);
        return EXIT.ok;
      }
      return printSecret(ctx, secret);
    },
  );

  action(
    ctx,
    program.command('list').description('List data or secrets').argument('<path>'),
    async (...args) => {
      const path = sanitizePath(args[0] as string);
      const client = await ctx.client();
      const secret = await api(`Error listing ${path}`, () => client.list(path));
      return printList(ctx, secret, path);
    },
  );
}
