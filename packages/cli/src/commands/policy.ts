import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, remoteError, usageError } from '../exit-codes.js';
import { formatPolicy } from '../policy-fmt/format-policy.js';
import { toJson } from '../output.js';
import { readAll } from '../prompt.js';
import { dataOf } from '../secret.js';
import { action, api } from './shared.js';

/** Policy names are case-insensitive; Vault's CLI lower-cases and trims them before sending. */
function policyName(raw: string): string {
  return raw.trim().toLowerCase();
}

/**
 * An error reading a local file, worded as Go's os errors are (`open x: no such file or
 * directory`) without a stack. Exit 1 (a local problem, see exit-codes.ts); Vault's `policy
 * write` says 2 here, which no script can usefully tell apart from an API refusal.
 */
function fileError(what: string, path: string, error: unknown): never {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (code ?? String(error));
  throw usageError(`${what}: open ${path}: ${reason}`);
}

/** `policy write|read|list|delete|fmt` on sys/policies/acl, as Vault's api.Sys policy calls. */
export function registerPolicyCommands(program: Command, ctx: Context): void {
  const policy = program.command('policy').description('Interact with policies');

  action(
    ctx,
    policy
      .command('write')
      .description('Upload a policy (HCL or JSON) from a file, or from stdin with "-"')
      .argument('<name>')
      .argument('<file>', 'the policy file, or - for stdin'),
    async (...args) => {
      const [given, rawPath] = args as [string, string];
      const name = policyName(given);
      const path = rawPath.trim();
      let rules: string;
      if (path === '-') rules = await readAll(ctx.io.stdin);
      else {
        try {
          rules = await readFile(path, 'utf8');
        } catch (error) {
          fileError('Error opening policy file', path, error);
        }
      }
      const client = await ctx.client();
      await api('Error uploading policy', () => client.write(`sys/policies/acl/${name}`, { policy: rules }));
      if (given !== name) ctx.err(`Policy name was converted from "${given}" to "${name}"`);
      ctx.out(`Success! Uploaded policy: ${name}`);
      return EXIT.ok;
    },
  );

  action(
    ctx,
    policy.command('read').description('Print a policy as it was written').argument('<name>'),
    async (...args) => {
      const name = policyName(args[0] as string);
      const client = await ctx.client();
      const secret = await api(`Error reading policy named ${name}`, () => client.read(`sys/policies/acl/${name}`));
      const rules = dataOf(secret)?.policy;
      if (typeof rules !== 'string' || rules === '') throw remoteError(`No policy named: ${name}`);
      // The text is the author's own: printed raw (trimmed) in a table, whole in JSON.
      ctx.out(ctx.format === 'json' ? toJson({ policy: rules }) : rules.trim());
      return EXIT.ok;
    },
  );

  action(ctx, policy.command('list').description('List the policies'), async () => {
    const client = await ctx.client();
    const secret = await api('Error listing policies', () => client.list('sys/policies/acl'));
    const keys = dataOf(secret)?.keys;
    const names = Array.isArray(keys) ? keys.map(String) : [];
    if (ctx.format === 'json') ctx.out(toJson(names));
    else if (names.length > 0) ctx.out(names.join('\n'));
    return EXIT.ok;
  });

  action(ctx, policy.command('delete').description('Delete a policy').argument('<name>'), async (...args) => {
    const name = policyName(args[0] as string);
    const client = await ctx.client();
    await api(`Error deleting ${name}`, () => client.delete(`sys/policies/acl/${name}`));
    ctx.out(`Success! Deleted policy: ${name}`);
    return EXIT.ok;
  });

  action(
    ctx,
    policy
      .command('fmt')
      .description('Format an HCL policy file in place (checked locally; the server is not asked)')
      .argument('<file>'),
    async (...args) => {
      const path = (args[0] as string).trim();
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        fileError('Error reading source file', path, error);
      }
      const formatted = await formatPolicy(text, path);
      if (formatted !== text) {
        try {
          await writeFile(path, formatted);
        } catch (error) {
          fileError('Error writing result', path, error);
        }
      }
      ctx.out(`Success! Formatted policy: ${path}`);
      return EXIT.ok;
    },
  );
}
