import type { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes.js';
import type { Context } from '../context.js';
import { printSealStatus, readSealStatus } from './seal-status.js';
import { action } from './shared.js';

/** `status`: exit 0 unsealed, 2 sealed, 1 on any error (Vault's exception to its own codes). */
export function registerStatusCommand(program: Command, ctx: Context): void {
  action(ctx, program.command('status').description('Print seal and HA status'), async () => {
    try {
      const client = await ctx.client();
      const status = await readSealStatus(client, 'Error checking seal status');
      await printSealStatus(ctx, client, status);
      return status.sealed ? EXIT.sealed : EXIT.ok;
    } catch (error) {
      // 2 means "sealed" here, so every failure is 1.
      if (error instanceof CliError) throw new CliError(error.message, EXIT.local);
      throw error;
    }
  });
}
