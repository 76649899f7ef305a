import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, remoteError, usageError } from '../exit-codes.js';
import { wrapAtLength } from '../go-format.js';
import { promptHidden, readAll } from '../prompt.js';
import { dataOf, type Secret } from '../secret.js';
import { writeTokenFile } from '../token-file.js';
import { action, api, printSecret } from './shared.js';

/**
 * `login TOKEN` (token method): checks the token with lookup-self, then stores it in
 * ~/.coffer-token for later commands. `-` reads the token from stdin; no argument prompts.
 */
export function registerLoginCommand(program: Command, ctx: Context): void {
  action(
    ctx,
    program.command('login').description('Authenticate with a token and store it for later commands').argument('[token]'),
    async (...args) => {
      const given = (args[0] as string | undefined)?.trim();
      let token: string;
      if (given === '-') token = (await readAll(ctx.io.stdin)).trim();
      else token = given || (await promptHidden(ctx.io.stdin, ctx.io.stdout, 'Token (will be hidden): ')).trim();
      if (token === '') throw usageError('Error authenticating: the token is empty');
      if (ctx.io.homeDir === undefined) throw usageError('Error storing token: no home directory to keep it in');

      const client = (await ctx.client({ token: false })).withToken(token);
      const lookup = await api('Error authenticating', () => client.read('auth/token/lookup-self'));
      const data = dataOf(lookup);
      if (!data) throw remoteError('Error authenticating: empty response from lookup-self');

      await writeTokenFile(ctx.io.homeDir, token);
      if (ctx.env.token !== undefined) {
        ctx.err(
          wrapAtLength(
            'WARNING! The COFFER_TOKEN (or VAULT_TOKEN) environment variable is set! Its value takes ' +
              'precedence over the stored token; unset it to use the token stored by this login.',
          ) + '\n',
        );
      }
      const policies = Array.isArray(data.policies) ? data.policies.map(String) : [];
      const secret: Secret = {
        auth: {
          client_token: token,
          accessor: String(data.accessor ?? ''),
          policies,
          token_policies: policies,
          lease_duration: typeof data.ttl === 'number' ? data.ttl : 0,
          renewable: data.renewable === true,
        },
      };
      if (ctx.format === 'table') {
        ctx.out(
          wrapAtLength(
            'Success! You are now authenticated. The token information displayed below is already ' +
              'stored in the token file. You do NOT need to run "coffer login" again. Future Coffer ' +
              'requests will automatically use this token.',
          ) + '\n',
        );
      }
      // The user typed the token; echoing it back would only put it in scrollback and logs.
      printSecret(ctx, secret, { showToken: false });
      return EXIT.ok;
    },
  );
}
