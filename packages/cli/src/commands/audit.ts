import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, remoteError, usageError } from '../exit-codes.js';
import { table, toJson } from '../output.js';
import { promptHidden, readAll } from '../prompt.js';
import { dataOf, isRecord } from '../secret.js';
import { registerAuditVerifyCommand } from './audit-verify.js';
import { action, api, ensureTrailingSlash, optionsOf, parseData, sanitizePath } from './shared.js';

interface EnableOptions {
  path?: string;
  description?: string;
  local?: boolean;
}

/**
 * Vault's parseArgsDataString: device options are a map of strings, so numbers and booleans from a
 * JSON object are written as text and anything else (a key given twice, a nested object) refused.
 */
function stringOptions(data: Record<string, unknown>): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') options[key] = String(value);
    else throw usageError(`Failed to parse K=V data: failed to convert values to strings: "${key}" is not a single value`);
  }
  return options;
}

/** Vault's AuditListCommand tables; Coffer adds where each device came from (config or API) last. */
function deviceRows(devices: Record<string, Record<string, unknown>>, detailed: boolean): string[][] {
  const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
  const paths = Object.keys(devices).sort();
  if (!detailed) {
    return [['Path', 'Type', 'Description'], ...paths.map((path) => {
      const device = devices[path] as Record<string, unknown>;
      return [text(device.path ?? path), text(device.type), text(device.description)];
    })];
  }
  const rows = paths.map((path) => {
    const device = devices[path] as Record<string, unknown>;
    const options = isRecord(device.options) ? device.options : {};
    // Vault joins k=v in Go's map order, which is random; sorted here so the output is stable.
    const optionText = Object.keys(options).sort().map((key) => `${key}=${text(options[key])}`).join(' ');
    return [path, text(device.type), text(device.description), device.local === true ? 'local' : 'replicated', optionText, text(device.source)];
  });
  return [['Path', 'Type', 'Description', 'Replication', 'Options', 'Source'], ...rows];
}

/** The value to hash: the argument, stdin for `-`, else a hidden prompt (keeps it out of shell history). */
async function hashInput(ctx: Context, given: string | undefined): Promise<string> {
  if (given === undefined) return promptHidden(ctx.io.stdin, ctx.io.stderr, 'Input (will be hidden): ');
  // `echo value |` adds a newline the value does not have; printf gives an exact value.
  if (given === '-') return (await readAll(ctx.io.stdin)).replace(/\r?\n$/, '');
  return given;
}

/** `audit enable|disable|list|hash|verify`: sys/audit, sys/audit-hash, and the chained log's check. */
export function registerAuditCommands(program: Command, ctx: Context): void {
  const audit = program.command('audit').description('Interact with audit devices');

  action(
    ctx,
    audit
      .command('enable')
      .description('Enable an audit device, e.g. "audit enable file file_path=/var/log/coffer-audit.log"')
      .argument('<type>', 'file, socket or syslog')
      .argument('[config...]', 'device options as k=v (k=@file, k=-, @file.json or - also work)')
      .option('--path <path>', 'where to enable it; the type by default')
      .option('--description <text>', 'a human-friendly description')
      .option('--local', 'do not replicate the device'),
    async (...args) => {
      const [rawType, rawConfig] = args as [string, string[]];
      const type = rawType.trim();
      const o = optionsOf<EnableOptions>(args);
      const path = ensureTrailingSlash(sanitizePath(o.path ?? type));
      const options = stringOptions(await parseData(ctx, rawConfig));
      const client = await ctx.client();
      await api('Error enabling audit device', () =>
        client.write(`sys/audit/${path}`, { type, description: o.description ?? '', options, local: o.local === true }),
      );
      ctx.out(`Success! Enabled the ${type} audit device at: ${path}`);
      return EXIT.ok;
    },
  );

  action(ctx, audit.command('disable').description('Disable an audit device').argument('<path>'), async (...args) => {
    const path = ensureTrailingSlash(sanitizePath(args[0] as string));
    const client = await ctx.client();
    await api('Error disabling audit device', () => client.delete(`sys/audit/${path}`));
    ctx.out(`Success! Disabled audit device (if it was enabled) at: ${path}`);
    return EXIT.ok;
  });

  action(
    ctx,
    audit
      .command('list')
      .description('List the enabled audit devices')
      .option('--detailed', 'show replication, options and source (config or API) (table output only)'),
    async (...args) => {
      const { detailed } = optionsOf<{ detailed?: boolean }>(args);
      const client = await ctx.client();
      const secret = await api('Error listing audits', () => client.read('sys/audit'));
      const data = dataOf(secret) ?? {};
      if (ctx.format === 'json') {
        ctx.out(toJson(data));
        return EXIT.ok;
      }
      const devices = Object.fromEntries(
        Object.entries(data).filter((entry): entry is [string, Record<string, unknown>] => isRecord(entry[1])),
      );
      if (Object.keys(devices).length === 0) {
        // Vault prints this on stdout and exits 2, so `vault audit list || enable` scripts work.
        ctx.out('No audit devices are enabled.');
        return EXIT.remote;
      }
      ctx.out(table(deviceRows(devices, detailed === true)));
      return EXIT.ok;
    },
  );

  action(
    ctx,
    audit
      .command('hash')
      .description("Print a value's HMAC as the device writes it in its log, to search the log for it")
      .argument('<path>', 'the audit device, e.g. file/')
      .argument('[input]', 'the value; - reads stdin; prompted for (hidden) when omitted'),
    async (...args) => {
      const [rawPath, given] = args as [string, string | undefined];
      const path = sanitizePath(rawPath);
      const input = await hashInput(ctx, given);
      const client = await ctx.client();
      const secret = await api(`Error hashing with audit device ${path}/`, () => client.write(`sys/audit-hash/${path}`, { input }));
      const hash = dataOf(secret)?.hash;
      if (typeof hash !== 'string') throw remoteError(`Error hashing with audit device ${path}/: the server sent no hash`);
      ctx.out(ctx.format === 'json' ? toJson({ hash }) : hash);
      return EXIT.ok;
    },
  );

  registerAuditVerifyCommand(audit, ctx);
}
