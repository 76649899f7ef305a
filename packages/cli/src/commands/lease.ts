import type { Command } from 'commander';
import type { Context } from '../context.js';
import { EXIT, remoteError, usageError } from '../exit-codes.js';
import { wrapAtLength } from '../go-format.js';
import { action, api, duration, optionsOf, printSecret } from './shared.js';

interface RevokeOptions {
  prefix?: boolean;
  force?: boolean;
  sync?: boolean;
}

/** `lease lookup|renew|revoke` on sys/leases, as Vault's api.Sys lease calls send them. */
export function registerLeaseCommands(program: Command, ctx: Context): void {
  const lease = program.command('lease').description('Interact with leases');

  action(ctx, lease.command('lookup').description('Show the issue and expiry times of a lease').argument('<lease-id>'), async (...args) => {
    const id = (args[0] as string).trim();
    const client = await ctx.client();
    const secret = await api(`error looking up lease id ${id}`, () => client.write('sys/leases/lookup', { lease_id: id }));
    if (!secret) throw remoteError(`error looking up lease id ${id}: the server returned nothing`);
    return printSecret(ctx, secret);
  });

  action(
    ctx,
    lease
      .command('renew')
      .description('Renew a lease')
      .argument('<lease-id>')
      .option('--increment <duration>', 'requested extension, e.g. 1h; the server may grant less', duration('increment')),
    async (...args) => {
      const id = (args[0] as string).trim();
      const { increment } = optionsOf<{ increment?: number }>(args);
      const client = await ctx.client();
      const secret = await api(`Error renewing ${id}`, () =>
        client.write('sys/leases/renew', { lease_id: id, increment: increment ?? 0 }),
      );
      if (!secret) throw remoteError(`Error renewing ${id}: the server returned nothing`);
      return printSecret(ctx, secret);
    },
  );

  action(
    ctx,
    lease
      .command('revoke')
      .description('Revoke a lease, or every lease under a prefix')
      .argument('<lease-id>')
      .option('--prefix', 'the argument is a prefix: revoke every lease under it')
      .option('-f, --force', 'with -prefix: drop the leases even when revoking the secrets fails')
      .option('--sync', 'wait for the revocation instead of queueing it'),
    async (...args) => {
      const id = (args[0] as string).trim();
      const o = optionsOf<RevokeOptions>(args);
      if (o.force && !o.prefix) throw usageError('Specifying -force requires also specifying -prefix');
      const client = await ctx.client();
      if (o.force) {
        ctx.err(wrapAtLength('Warning! Force-removing leases can cause Coffer to become out of sync with secret engines!'));
      }
      const what = o.force
        ? `Error force revoking leases with prefix ${id}`
        : o.prefix
          ? `Error revoking leases with prefix ${id}`
          : `Error revoking lease ${id}`;
      // As Vault's client: the id goes in the path; -force sends no body, the others say whether to wait.
      const route = o.force ? 'revoke-force' : o.prefix ? 'revoke-prefix' : 'revoke';
      await api(what, () =>
        client.send('PUT', `sys/leases/${route}/${id}`, o.force ? {} : { body: { sync: o.sync === true } }),
      );
      if (o.force) ctx.out(`Success! Force revoked any leases with prefix: ${id}`);
      else if (!o.sync) ctx.out('All revocation operations queued successfully!');
      else ctx.out(o.prefix ? `Success! Revoked any leases with prefix: ${id}` : `Success! Revoked lease: ${id}`);
      return EXIT.ok;
    },
  );
}
