import type { Command } from 'commander';
import type { Context } from '../context.js';
import { remoteError } from '../exit-codes.js';
import { asSecret } from '../secret.js';
import { action, api, optionsOf, printField, printSecret, secretField } from './shared.js';

/**
 * `unwrap [TOKEN]`: the response a wrapping token holds, once. Without TOKEN the wrapping token is
 * the client's own (COFFER_TOKEN or the token file), as `vault unwrap` does.
 */
export function registerWrappingCommands(program: Command, ctx: Context): void {
  action(
    ctx,
    program
      .command('unwrap')
      .description('Unwrap a wrapped secret (once: the wrapping token is then gone)')
      .argument('[token]')
      .option('--field <name>', 'print only this field, raw'),
    async (...args) => {
      const token = args[0] as string | undefined;
      const { field } = optionsOf<{ field?: string }>(args);
      const client = await ctx.client();
      const response = await api('Error unwrapping', () =>
        token ? client.send('PUT', 'sys/wrapping/unwrap', { body: { token } }) : client.send('PUT', 'sys/wrapping/unwrap'),
      );
      const secret = asSecret(response.body);
      if (!secret) throw remoteError('Error unwrapping: the server returned nothing');
      if (field !== undefined) return printField(ctx, secretField(secret, field), field, 'secret');
      return printSecret(ctx, secret, { showToken: true });
    },
  );
}
