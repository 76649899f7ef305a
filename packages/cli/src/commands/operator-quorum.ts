import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, usageError } from '../exit-codes.js';
import { columns, toJson } from '../output.js';
import { promptHidden } from '../prompt.js';
import { isRecord } from '../secret.js';
import { action, api, integer, optionsOf } from './shared.js';

/** XOR-decodes an encoded root token with its one-time pad (base64 without padding, as Vault). */
export function decodeRootToken(encoded: string, otp: string): string {
  const bytes = Buffer.from(encoded, 'base64');
  const pad = Buffer.from(otp, 'utf8');
  if (bytes.length !== pad.length) throw usageError('Error decoding: the OTP and the encoded token differ in length');
  return Buffer.from(bytes.map((b, i) => b ^ (pad[i] as number))).toString('utf8');
}

const statusRows = (rows: [string, string][]) => columns(rows.filter(([, value]) => value !== 'undefined'));

/** `operator generate-root`, `operator rekey` and `operator step-down`, with vault's flags. */
export function registerOperatorQuorumCommands(operator: Command, ctx: Context): void {
  /** The nonce of the operation in progress, for an update without `--nonce` (as vault does). */
  const currentNonce = async (client: Awaited<ReturnType<Context['client']>>, path: string) => {
    const status = await api('Error reading the operation status', () => client.send('GET', path));
    return isRecord(status.body) ? String(status.body.nonce ?? '') : '';
  };
  const keyFor = async (given: string | undefined, label: string) => {
    const key = given?.trim() || (await promptHidden(ctx.io.stdin, ctx.io.stdout, `${label} (will be hidden): `)).trim();
    if (key === '') throw usageError('The key is empty');
    return key;
  };

  action(
    ctx,
    operator
      .command('generate-root')
      .description('Generate a new root token from a quorum of unseal (or recovery) keys')
      .argument('[key]')
      .option('--init', 'start a root token generation')
      .option('--status', 'print the progress')
      .option('--cancel', 'cancel the generation in progress')
      .option('--nonce <nonce>', 'the nonce of the generation in progress')
      .option('--otp <otp>', 'the one-time pad to decode with (with --decode)')
      .option('--decode <encoded>', 'decode an encoded root token with --otp'),
    async (...args) => {
      const o = optionsOf<{ init?: boolean; status?: boolean; cancel?: boolean; nonce?: string; otp?: string; decode?: string }>(args);
      if (o.decode !== undefined) {
        if (!o.otp) throw usageError('--decode needs --otp');
        ctx.out(ctx.format === 'json' ? toJson({ token: decodeRootToken(o.decode, o.otp) }) : decodeRootToken(o.decode, o.otp));
        return EXIT.ok;
      }
      const client = await ctx.client({ token: false });
      let body: unknown;
      if (o.cancel) {
        await api('Error canceling root token generation', () => client.send('DELETE', 'sys/generate-root/attempt'));
        ctx.out('Success! Root token generation canceled (if it was started)');
        return EXIT.ok;
      } else if (o.init) {
        body = (await api('Error initializing root generation', () => client.send('PUT', 'sys/generate-root/attempt', { body: {} }))).body;
      } else if (o.status) {
        body = (await api('Error getting root generation status', () => client.send('GET', 'sys/generate-root/attempt'))).body;
      } else {
        const nonce = o.nonce ?? (await currentNonce(client, 'sys/generate-root/attempt'));
        const key = await keyFor(args[0] as string | undefined, 'Unseal Key (or recovery key)');
        body = (await api('Error posting unseal key', () => client.send('PUT', 'sys/generate-root/update', { body: { key, nonce } }))).body;
      }
      const s = isRecord(body) ? body : {};
      if (ctx.format === 'json') {
        ctx.out(toJson(s));
        return EXIT.ok;
      }
      ctx.out(
        statusRows([
          ['Nonce', String(s.nonce ?? '')],
          ['Started', String(s.started)],
          ['Progress', `${String(s.progress)}/${String(s.required)}`],
          ['Complete', String(s.complete)],
          ...(s.otp ? ([['OTP', String(s.otp)]] as [string, string][]) : []),
          ['OTP Length', String(s.otp_length)],
          ...(s.encoded_token ? ([['Encoded Token', String(s.encoded_token)]] as [string, string][]) : []),
        ]),
      );
      return EXIT.ok;
    },
  );

  action(
    ctx,
    operator
      .command('rekey')
      .description('Replace the unseal (or, with --target=recovery, recovery) key shares')
      .argument('[key]')
      .option('--init', 'start a rekey')
      .option('--status', 'print the progress')
      .option('--cancel', 'cancel the rekey in progress')
      .option('--nonce <nonce>', 'the nonce of the rekey in progress')
      .option('--key-shares <n>', 'number of new key shares', integer('key-shares'), 5)
      .option('--key-threshold <n>', 'number of new shares needed', integer('key-threshold'), 3)
      .option('--target <target>', 'barrier (unseal keys) or recovery', 'barrier'),
    async (...args) => {
      const o = optionsOf<{ init?: boolean; status?: boolean; cancel?: boolean; nonce?: string; keyShares: number; keyThreshold: number; target: string }>(args);
      if (o.target !== 'barrier' && o.target !== 'recovery') throw usageError('--target must be barrier or recovery');
      const base = o.target === 'recovery' ? 'sys/rekey-recovery-key' : 'sys/rekey';
      const client = await ctx.client({ token: false });
      let body: unknown;
      if (o.cancel) {
        await api('Error canceling rekey', () => client.send('DELETE', `${base}/init`));
        ctx.out('Success! Canceled rekeying (if it was started)');
        return EXIT.ok;
      } else if (o.init) {
        body = (await api('Error initializing rekey', () =>
          client.send('PUT', `${base}/init`, { body: { secret_shares: o.keyShares, secret_threshold: o.keyThreshold } }),
        )).body;
      } else if (o.status) {
        body = (await api('Error reading rekey status', () => client.send('GET', `${base}/init`))).body;
      } else {
        const nonce = o.nonce ?? (await currentNonce(client, `${base}/init`));
        const key = await keyFor(args[0] as string | undefined, 'Key');
        body = (await api('Error posting unseal key', () => client.send('PUT', `${base}/update`, { body: { key, nonce } }))).body;
      }
      const s = isRecord(body) ? body : {};
      if (ctx.format === 'json') {
        ctx.out(toJson(s));
        return EXIT.ok;
      }
      if (s.complete === true && Array.isArray(s.keys)) {
        const lines = (s.keys as string[]).map((key, i) => `Key ${i + 1}: ${String((s.keys_base64 as string[] | undefined)?.[i] ?? key)}`);
        ctx.out([...lines, '', `Operation nonce: ${String(s.nonce)}`, '', `Coffer rekeyed with ${lines.length} key shares.`].join('\n'));
        return EXIT.ok;
      }
      ctx.out(
        statusRows([
          ['Nonce', String(s.nonce ?? '')],
          ['Started', String(s.started)],
          ['Rekey Progress', `${String(s.progress)}/${String(s.required)}`],
          ['New Shares', String(s.n)],
          ['New Threshold', String(s.t)],
        ]),
      );
      return EXIT.ok;
    },
  );

  action(ctx, operator.command('step-down').description('Make the active node give up leadership (HA)'), async () => {
    const client = await ctx.client();
    await api('Error stepping down', () => client.send('PUT', 'sys/step-down'));
    ctx.out(`Success! Stepped down: ${client.address}`);
    return EXIT.ok;
  });
}
