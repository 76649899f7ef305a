import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { action } from './shared.js';

/** `version`: Coffer's version and the Vault API level it speaks. */
export function registerVersionCommand(program: Command, ctx: Context): void {
  action(ctx, program.command('version').description('Print the Coffer version'), async () => {
    const { COFFER_VERSION, VERSION } = await import('@coffer/server');
    ctx.out(`Coffer v${COFFER_VERSION} (Vault API ${VERSION.split('+')[0] ?? VERSION})`);
    return EXIT.ok;
  });
}
