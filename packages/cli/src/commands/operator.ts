import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, usageError } from '../exit-codes.js';
import { columns } from '../output.js';
import { promptHidden } from '../prompt.js';
import { dataOf, isRecord } from '../secret.js';
import { registerOperatorInit } from './operator-init.js';
import { registerOperatorQuorumCommands } from './operator-quorum.js';
import { printSealStatus } from './seal-status.js';
import { action, api, optionsOf } from './shared.js';

/** Vault's printKeyStatus: three rows, no header; Go's RFC822 time. */
function keyStatusText(status: Record<string, unknown>): string {
  const installed = new Date(String(status.install_time));
  const text = Number.isNaN(installed.getTime()) ? String(status.install_time) : rfc822(installed);
  return columns([
    ['Key Term', String(status.term)],
    ['Install Time', text],
    ['Encryption Count', String(status.encryptions)],
  ]);
}

/** Go's time.RFC822 in UTC: `02 Jan 06 15:04 UTC`. */
function rfc822(date: Date): string {
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())} ${month} ${pad(date.getUTCFullYear() % 100)} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
}

/** key-status in Go's field order (term, install_time, encryptions). */
function keyStatusJson(status: Record<string, unknown>): string {
  return JSON.stringify({ term: status.term, install_time: status.install_time, encryptions: status.encryptions }, null, 2);
}

/** `operator init|unseal|seal|rotate|key-status`. */
export function registerOperatorCommands(program: Command, ctx: Context): void {
  const operator = program.command('operator').description('Perform operator-specific tasks');
  registerOperatorInit(operator, ctx);
  registerOperatorQuorumCommands(operator, ctx);

  action(
    ctx,
    operator
      .command('unseal')
      .description('Provide one unseal key share; prompts (hidden) when KEY is omitted')
      .argument('[key]')
      .option('--reset', 'discard the key shares given so far')
      .option('--migrate', 'seal migration: the configured seal changed (see the server log)'),
    async (...args) => {
      const { reset, migrate } = optionsOf<{ reset?: boolean; migrate?: boolean }>(args);
      const client = await ctx.client();
      let body: Record<string, unknown>;
      if (reset) {
        body = { reset: true };
      } else {
        const given = (args[0] as string | undefined)?.trim();
        const key = given || (await promptHidden(ctx.io.stdin, ctx.io.stdout, 'Unseal Key (will be hidden): ')).trim();
        if (key === '') throw usageError('Unseal key is empty');
        body = { key, ...(migrate ? { migrate: true } : {}) };
      }
      const what = reset ? 'Error resetting unseal process' : 'Error unsealing';
      const response = await api(what, () => client.send('PUT', 'sys/unseal', { body }));
      return printSealStatus(ctx, client, isRecord(response.body) ? response.body : {});
    },
  );

  action(ctx, operator.command('seal').description('Seal the server (needs a root or sudo token)'), async () => {
    const client = await ctx.client();
    await api('Error sealing', () => client.send('PUT', 'sys/seal'));
    ctx.out('Success! Coffer is sealed.');
    return EXIT.ok;
  });

  const keyStatus = async (): Promise<Record<string, unknown>> => {
    const client = await ctx.client();
    const secret = await api('Error reading key status', () => client.read('sys/key-status'));
    return dataOf(secret) ?? {};
  };

  action(ctx, operator.command('rotate').description('Rotate the barrier encryption key (adds a key term)'), async () => {
    const client = await ctx.client();
    await api('Error rotating key', () => client.send('PUT', 'sys/rotate'));
    const status = await keyStatus();
    if (ctx.format === 'json') ctx.out(keyStatusJson(status));
    else ctx.out(`Success! Rotated key\n\n${keyStatusText(status)}`);
    return EXIT.ok;
  });

  action(ctx, operator.command('key-status').description('Show the active barrier key term'), async () => {
    const status = await keyStatus();
    ctx.out(ctx.format === 'json' ? keyStatusJson(status) : keyStatusText(status));
    return EXIT.ok;
  });
}
