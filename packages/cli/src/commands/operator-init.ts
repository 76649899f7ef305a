import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { wrapAtLength } from '../go-format.js';
import { isRecord } from '../secret.js';
import { readSealStatus } from './seal-status.js';
import { action, api, integer, optionsOf } from './shared.js';

interface InitAnswer {
  keys: string[];
  keys_base64: string[];
  recovery_keys?: string[];
  recovery_keys_base64?: string[];
  root_token: string;
}

/** `operator init`: the one command whose purpose is to print the unseal keys and the root token. */
export function registerOperatorInit(operator: Command, ctx: Context): void {
  action(
    ctx,
    operator
      .command('init')
      .description('Initialize a server: generate the unseal keys and the root token')
      .option('--key-shares <n>', 'number of unseal key shares', integer('key-shares'))
      .option('--key-threshold <n>', 'shares needed to unseal', integer('key-threshold'))
      .option('--status', 'only report whether the server is initialized (exit 0 yes, 2 no)'),
    async (...args) => {
      const options = optionsOf<{ keyShares?: number; keyThreshold?: number; status?: boolean }>(args);
      const client = await ctx.client();
      if (options.status) {
        const response = await api('Error checking init status', () => client.send('GET', 'sys/init'));
        const initialized = isRecord(response.body) && response.body.initialized === true;
        if (ctx.format === 'json') ctx.out(JSON.stringify({ initialized }, null, 2));
        else ctx.out(initialized ? 'Coffer is initialized' : 'Coffer is not initialized');
        return initialized ? EXIT.ok : EXIT.remote;
      }
      await readSealStatus(client, 'Error checking seal status');
      const shares = options.keyShares || 5;
      const threshold = options.keyThreshold || 3;
      const response = await api('Error initializing', () =>
        client.send('PUT', 'sys/init', { body: { secret_shares: shares, secret_threshold: threshold } }),
      );
      const answer = response.body as InitAnswer;
      if (ctx.format === 'json') {
        // vault operator init -format=json: keys under Vault's machine-readable names.
        ctx.out(
          JSON.stringify(
            {
              unseal_keys_b64: answer.keys_base64 ?? [],
              unseal_keys_hex: answer.keys ?? [],
              unseal_shares: shares,
              unseal_threshold: threshold,
              recovery_keys_b64: answer.recovery_keys_base64 ?? [],
              recovery_keys_hex: answer.recovery_keys ?? [],
              recovery_keys_shares: 0,
              recovery_keys_threshold: 0,
              root_token: answer.root_token,
            },
            null,
            2,
          ),
        );
        return EXIT.ok;
      }
      const lines: string[] = [];
      answer.keys.forEach((hex, i) => lines.push(`Unseal Key ${i + 1}: ${answer.keys_base64[i] ?? hex}`));
      lines.push('', `Initial Root Token: ${answer.root_token}`, '');
      lines.push(
        wrapAtLength(
          `Coffer initialized with ${shares} key shares and a key threshold of ${threshold}. Please ` +
            'securely distribute the key shares printed above. When Coffer is re-sealed, restarted, or ' +
            `stopped, you must supply at least ${threshold} of these keys to unseal it before it can start ` +
            'servicing requests.',
        ),
        '',
        wrapAtLength(
          `Coffer does not store the generated root key. Without at least ${threshold} keys to ` +
            'reconstruct the root key, Coffer will remain permanently sealed!',
        ),
      );
      ctx.out(lines.join('\n'));
      return EXIT.ok;
    },
  );
}
