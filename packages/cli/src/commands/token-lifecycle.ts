import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, remoteError, usageError } from '../exit-codes.js';
import { toJson } from '../output.js';
import { dataOf } from '../secret.js';
import { action, api, duration, optionsOf, printSecret } from './shared.js';

interface RevokeOptions {
  self?: boolean;
  accessor?: boolean;
  mode?: string;
}

/**
 * Vault's rules for combining `token revoke`'s flags, checked before any request. Returns the
 * message of the first broken one.
 */
function revokeUsageProblem(given: string | undefined, o: RevokeOptions): string | undefined {
  const mode = o.mode ?? '';
  if (!['', 'orphan', 'path'].includes(mode)) return `Invalid mode: ${mode}`;
  if (o.self && given !== undefined) return 'Too many arguments with -self (expected 0, got 1)';
  if (!o.self && given === undefined) return 'Not enough arguments (expected 1 or -self, got 0)';
  if (o.self && o.accessor) return 'Cannot use -self with -accessor!';
  if (o.self && mode !== '') return 'Cannot use -self with -mode!';
  if (o.accessor && mode !== '') return `Cannot use -accessor with -mode=${mode}!`;
  return undefined;
}

/** `token renew|revoke|capabilities`. */
export function registerTokenLifecycleCommands(token: Command, ctx: Context): void {
  action(
    ctx,
    token
      .command('renew')
      .description('Renew a token (the current one when TOKEN is omitted)')
      .argument('[token]')
      .option('--accessor', 'the argument is an accessor; the output then has no token')
      .option('-i, --increment <duration>', 'requested extension, e.g. 1h; the server may grant less', duration('increment')),
    async (...args) => {
      const given = (args[0] as string | undefined)?.trim() || undefined;
      const o = optionsOf<{ accessor?: boolean; increment?: number }>(args);
      if (o.accessor && given === undefined) throw usageError('Not enough arguments with -accessor (expected 1, got 0)');
      const increment = o.increment ?? 0;
      const client = await ctx.client();
      const secret = await api('Error renewing token', () => {
        if (given === undefined) return client.write('auth/token/renew-self', { increment });
        if (o.accessor) return client.write('auth/token/renew-accessor', { accessor: given, increment });
        return client.write('auth/token/renew', { token: given, increment });
      });
      if (!secret) throw remoteError('Error renewing token: the server returned nothing');
      // The token was the caller's to begin with; renewing hands out nothing new.
      return printSecret(ctx, secret, { showToken: false });
    },
  );

  action(
    ctx,
    token
      .command('revoke')
      .description('Revoke a token and its children (-mode=orphan: only the token; -mode=path: every token under a path)')
      .argument('[token]')
      .option('--self', 'revoke the token in use')
      .option('--accessor', 'the argument is an accessor, not a token')
      .option('--mode <mode>', '"orphan" keeps the children; "path" revokes every lease under the path given'),
    async (...args) => {
      const given = (args[0] as string | undefined)?.trim();
      const o = optionsOf<RevokeOptions>(args);
      const problem = revokeUsageProblem(given, o);
      if (problem) throw usageError(problem);
      const target = given ?? '';
      const client = await ctx.client();
      await api('Error revoking token', () => {
        if (o.self) return client.write('auth/token/revoke-self', {});
        if (o.accessor) return client.write('auth/token/revoke-accessor', { accessor: target });
        if (o.mode === 'orphan') return client.write('auth/token/revoke-orphan', { token: target });
        if (o.mode === 'path') return client.write(`sys/leases/revoke-prefix/${target}`, {});
        return client.write('auth/token/revoke', { token: target });
      });
      ctx.out('Success! Revoked token (if it existed)');
      return EXIT.ok;
    },
  );

  action(
    ctx,
    token
      .command('capabilities')
      .description("List a token's capabilities on a path (the current token's when TOKEN is omitted)")
      .usage('[options] [token|accessor] <path>')
      .argument('<token-or-path>')
      .argument('[path]')
      .option('--accessor', 'the first argument is an accessor, not a token'),
    async (...args) => {
      const [first, second] = args as [string, string | undefined];
      const { accessor } = optionsOf<{ accessor?: boolean }>(args);
      if (accessor && second === undefined) throw usageError('Not enough arguments with -accessor (expected 2, got 1)');
      const [who, path] = second === undefined ? [undefined, first] : [first.trim(), second];
      const client = await ctx.client();
      const secret = await api('Error listing capabilities', () => {
        if (accessor) return client.write('sys/capabilities-accessor', { accessor: who, path });
        // Vault's client asks capabilities-self when the token is its own, which needs no sudo.
        if (who === undefined || who === client.token) return client.write('sys/capabilities-self', { path });
        return client.write('sys/capabilities', { token: who, path });
      });
      const data = dataOf(secret);
      if (!data) throw remoteError('Error listing capabilities: data from server response is empty');
      const found = Array.isArray(data[path]) ? data[path] : data.capabilities;
      if (!Array.isArray(found) || found.length === 0) throw usageError('No capabilities found');
      const capabilities = found.map(String);
      ctx.out(ctx.format === 'json' ? toJson(capabilities) : [...capabilities].sort().join(', '));
      return EXIT.ok;
    },
  );
}
