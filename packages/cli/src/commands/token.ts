import type { Command } from 'commander';
import type { Context } from '../context.js';
import { usageError } from '../exit-codes.js';
import type { Secret } from '../secret.js';
import { action, api, collect, collectMap, duration, integer, optionsOf, printField, printSecret, secretField } from './shared.js';
import { registerTokenLifecycleCommands } from './token-lifecycle.js';

interface CreateOptions {
  policy?: string[];
  ttl?: number;
  explicitMaxTtl?: number;
  period?: number;
  orphan?: boolean;
  role?: string;
  id?: string;
  displayName?: string;
  metadata?: Record<string, string>;
  renewable: boolean;
  noDefaultPolicy?: boolean;
  useLimit?: number;
  type?: string;
  field?: string;
}

/** Lookup answers carry the token itself in `id`; it is blanked, as lookup-accessor does. */
function withoutTokenId(secret: Secret): Secret {
  if (!secret.data || !('id' in secret.data)) return secret;
  return { ...secret, data: { ...secret.data, id: '' } };
}

/** `token create|lookup` here, `renew|revoke|capabilities` in token-lifecycle.ts; all on auth/token/. */
export function registerTokenCommands(program: Command, ctx: Context): void {
  const token = program.command('token').description('Interact with tokens');

  action(
    ctx,
    token
      .command('create')
      .description('Create a new token')
      .option('--policy <name>', 'a policy for the token; repeatable', collect)
      .option('--ttl <duration>', 'initial TTL, e.g. 30m', duration('ttl'))
      .option('--explicit-max-ttl <duration>', 'hard maximum TTL', duration('explicit-max-ttl'))
      .option('--period <duration>', 'renewal period of a periodic token', duration('period'))
      .option('--orphan', 'create the token with no parent')
      .option('--display-name <name>', 'a name shown in lookups and audit logs')
      .option('--metadata <k=v>', 'metadata to attach; repeatable', collectMap)
      .option('--no-renewable', 'the token cannot be renewed')
      .option('--no-default-policy', 'do not attach the "default" policy')
      .option('--use-limit <n>', 'number of uses before the token is revoked', integer('use-limit'))
      .option('--type <type>', 'token type', 'service')
      .option('--role <name>', 'create the token against this token role (auth/token/create/<role>)')
      .option('--id <token>', 'the token\'s value instead of a generated one (root or sudo only)')
      .option('--field <name>', 'print only this field, raw (e.g. token)'),
    async (...args) => {
      const o = optionsOf<CreateOptions>(args);
      const body: Record<string, unknown> = { renewable: o.renewable, type: o.type ?? 'service' };
      if (o.policy?.length) body.policies = o.policy.flatMap((p) => p.split(',')).map((p) => p.trim());
      if (o.ttl !== undefined) body.ttl = o.ttl;
      if (o.explicitMaxTtl !== undefined) body.explicit_max_ttl = o.explicitMaxTtl;
      if (o.period !== undefined) body.period = o.period;
      if (o.orphan) body.no_parent = true;
      if (o.displayName !== undefined) body.display_name = o.displayName;
      if (o.metadata !== undefined) body.meta = o.metadata;
      // commander's --no-default-policy sets defaultPolicy: false.
      if ((o as { defaultPolicy?: boolean }).defaultPolicy === false) body.no_default_policy = true;
      if (o.useLimit !== undefined) body.num_uses = o.useLimit;
      if (o.id !== undefined) body.id = o.id;
      const role = o.role?.trim();
      const client = await ctx.client();
      const path = role ? `auth/token/create/${role}` : 'auth/token/create';
      const secret = await api('Error creating token', () => client.write(path, body));
      if (!secret) throw usageError('Error creating token: the server returned no token');
      if (o.field !== undefined) return printField(ctx, secretField(secret, o.field), o.field, 'secret');
      return printSecret(ctx, secret, { showToken: true });
    },
  );

  action(
    ctx,
    token
      .command('lookup')
      .description('Display information about a token (the current one when TOKEN is omitted)')
      .argument('[token]')
      .option('--accessor', 'the argument is an accessor, not a token')
      .option('--field <name>', 'print only this field, raw'),
    async (...args) => {
      const given = (args[0] as string | undefined)?.trim();
      const o = optionsOf<{ accessor?: boolean; field?: string }>(args);
      if (o.accessor && !given) throw usageError('Not enough arguments with -accessor (expected 1, got 0)');
      const client = await ctx.client();
      const secret = await api('Error looking up token', () => {
        if (!given) return client.read('auth/token/lookup-self');
        if (o.accessor) return client.write('auth/token/lookup-accessor', { accessor: given });
        return client.write('auth/token/lookup', { token: given });
      });
      if (!secret) throw usageError('Error looking up token: the server returned nothing');
      const shown = withoutTokenId(secret);
      if (o.field !== undefined) return printField(ctx, secretField(shown, o.field), o.field, 'secret');
      return printSecret(ctx, shown);
    },
  );

  registerTokenLifecycleCommands(token, ctx);
}
