import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { wrapAtLength } from '../go-format.js';
import { isRecord } from '../secret.js';
import { readSealStatus } from './seal-status.js';
import { action, api, integer, optionsOf } from './shared.js';

interface InitAnswer {
  keys?: string[];
  keys_base64: string[];
  recovery_keys?: string[];
  recovery_keys_base64?: string[];
  root_token: string;
}

interface InitOptions {
  keyShares?: number;
  keyThreshold?: number;
  recoveryShares?: number;
  recoveryThreshold?: number;
}

type InitBody = Partial<Record<'secret_shares' | 'secret_threshold' | 'recovery_shares' | 'recovery_threshold', number>>;

/**
 * The sys/init body as Vault's CLI builds it: with an auto seal (seal-status says recovery_seal)
 * the defaults are 5 recovery shares, threshold 3; with Shamir, 5 unseal shares, threshold 3. A
 * flag that does not apply to the seal is still sent, so the server refuses it with Vault's message.
 */
function initRequest(options: InitOptions, recoverySeal: boolean): InitBody {
  const body: InitBody = {};
  const set = (key: keyof InitBody, given: number | undefined, fallback: number | undefined) => {
    const value = given || fallback;
    if (value) body[key] = value;
  };
  set('secret_shares', options.keyShares, recoverySeal ? undefined : 5);
  set('secret_threshold', options.keyThreshold, recoverySeal ? undefined : 3);
  set('recovery_shares', options.recoveryShares, recoverySeal ? 5 : undefined);
  set('recovery_threshold', options.recoveryThreshold, recoverySeal ? 3 : undefined);
  return body;
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
      .option('--recovery-shares <n>', 'number of recovery key shares (auto seals only)', integer('recovery-shares'))
      .option('--recovery-threshold <n>', 'recovery shares needed to authorise (auto seals only)', integer('recovery-threshold'))
      .option('--status', 'only report whether the server is initialized (exit 0 yes, 2 no)'),
    async (...args) => {
      const options = optionsOf<InitOptions & { status?: boolean }>(args);
      const client = await ctx.client();
      if (options.status) {
        const response = await api('Error checking init status', () => client.send('GET', 'sys/init'));
        const initialized = isRecord(response.body) && response.body.initialized === true;
        if (ctx.format === 'json') ctx.out(JSON.stringify({ initialized }, null, 2));
        else ctx.out(initialized ? 'Coffer is initialized' : 'Coffer is not initialized');
        return initialized ? EXIT.ok : EXIT.remote;
      }
      const sealStatus = await readSealStatus(client, 'Error checking seal status');
      const request = initRequest(options, sealStatus.recovery_seal === true);
      const response = await api('Error initializing', () => client.send('PUT', 'sys/init', { body: request }));
      const answer = response.body as InitAnswer;
      const keys = answer.keys ?? [];
      const recoveryKeys = answer.recovery_keys ?? [];
      if (ctx.format === 'json') {
        // vault operator init -format=json: keys under Vault's machine-readable names, counts as Vault reports them.
        ctx.out(
          JSON.stringify(
            {
              unseal_keys_b64: answer.keys_base64 ?? [],
              unseal_keys_hex: keys,
              unseal_shares: keys.length,
              unseal_threshold: request.secret_threshold ?? 0,
              recovery_keys_b64: answer.recovery_keys_base64 ?? [],
              recovery_keys_hex: recoveryKeys,
              recovery_keys_shares: recoveryKeys.length,
              recovery_keys_threshold: request.recovery_threshold ?? 0,
              root_token: answer.root_token,
            },
            null,
            2,
          ),
        );
        return EXIT.ok;
      }
      const shares = request.secret_shares ?? 0;
      const threshold = request.secret_threshold ?? 0;
      const lines: string[] = [];
      keys.forEach((hex, i) => lines.push(`Unseal Key ${i + 1}: ${answer.keys_base64[i] ?? hex}`));
      recoveryKeys.forEach((hex, i) => lines.push(`Recovery Key ${i + 1}: ${answer.recovery_keys_base64?.[i] ?? hex}`));
      lines.push('', `Initial Root Token: ${answer.root_token}`, '');
      if (keys.length > 0) {
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
      } else {
        lines.push('Success! Coffer is initialized');
      }
      if (recoveryKeys.length > 0) {
        lines.push(
          '',
          wrapAtLength(
            `Recovery key initialized with ${request.recovery_shares ?? 0} key shares and a key threshold of ` +
              `${request.recovery_threshold ?? 0}. Please securely distribute the key shares printed above.`,
          ),
        );
      }
      ctx.out(lines.join('\n'));
      return EXIT.ok;
    },
  );
}
