import { CofferError, type LeaseInfo, type LogicalResponse } from '@coffer/sdk';
import { roleAllowed } from './config-record.js';
import { configFor, type DatabaseContext } from './database-context.js';
import { scrub } from './database-error.js';
import type { RoleRecord } from './role-record.js';
import { compileUsernameTemplate, type UsernameTemplate } from './username-template.js';

/**
 * The database's validity outlasts the lease by a few seconds (Vault adds 5), so the user is
 * still valid when the expiration manager comes to drop it.
 */
const VALIDITY_BUFFER_MS = 5000;

/** Compiled username templates by source: creds requests come in bursts. */
const templates = new Map<string, UsernameTemplate>();

function templateFor(source: string): UsernameTemplate {
  let template = templates.get(source);
  if (!template) {
    template = compileUsernameTemplate(source);
    if (templates.size > 256) templates.clear();
    templates.set(source, template);
  }
  return template;
}

/** What a lease keeps to revoke its user even after the role is gone (Vault's internal data). */
interface CredsInternal {
  username: string;
  role: string;
  db_name: string;
  revocation_statements: string[];
}

/** creds/<role>: a new database user with a fresh password, under a lease. */
export async function issueCreds(ctx: DatabaseContext, roleName: string, displayName: string): Promise<LogicalResponse> {
  const role = await ctx.store.role(roleName);
  if (!role) throw new CofferError('invalid_request', `unknown role: ${roleName}`);
  const config = await configFor(ctx, role.dbName);
  if (!roleAllowed(config, roleName)) throw new CofferError('invalid_request', `"${roleName}" is not an allowed role`);
  if (role.creationStatements.length === 0) throw new CofferError('invalid_request', 'empty creation statements');

  // The lease's TTL as the core will compute it, so the database's validity matches it.
  const system = ctx.deps.system;
  const maxTtl = Math.min(role.maxTtl || system.maxLeaseTtl(), system.maxLeaseTtl());
  const ttl = Math.min(role.defaultTtl || system.defaultLeaseTtl(), maxTtl);
  const expiration = new Date(ctx.now() + ttl * 1000 + VALIDITY_BUFFER_MS);

  return ctx.connections.use(config, async ({ plugin, connection }) => {
    const template = templateFor(config.usernameTemplate || plugin.defaultUsernameTemplate);
    const username = template({ DisplayName: displayName, RoleName: roleName });
    if (username === '') throw new CofferError('invalid_request', 'the username template produced an empty username');
    if ([...username].length > plugin.maxUsernameLength) {
      throw new CofferError(
        'invalid_request',
        `the username template produced a ${[...username].length}-character username; ${plugin.name} allows at most ${plugin.maxUsernameLength}`,
      );
    }
    const password = await ctx.newPassword(config);
    try {
      await connection.createUser({ username, password, expiration, statements: role.creationStatements });
    } catch (error) {
      // Whatever part of the user exists goes again (MySQL has no transactional DDL).
      await connection.rollbackUser(username, role.rollbackStatements).catch((rollback: unknown) => {
        ctx.deps.logger.warn({ role: roleName, reason: scrub((rollback as Error).message, [password]) }, 'rollback after a failed creation failed');
      });
      throw error;
    }
    const internal: CredsInternal = { username, role: roleName, db_name: role.dbName, revocation_statements: role.revocationStatements };
    return {
      data: { username, password },
      secret: { ttl: role.defaultTtl, maxTtl: role.maxTtl, renewable: true, internal: { ...internal } },
    };
  });
}

function internalOf(lease: LeaseInfo): CredsInternal {
  const { username, role, db_name: dbName, revocation_statements: statements } = lease.internal;
  if (typeof username !== 'string' || username === '') throw new CofferError('internal', 'secret is missing username internal data');
  return {
    username,
    role: typeof role === 'string' ? role : '',
    db_name: typeof dbName === 'string' ? dbName : '',
    revocation_statements: Array.isArray(statements) ? statements.filter((s): s is string => typeof s === 'string') : [],
  };
}

/** Extends the user's validity to the lease's new expiry (plus the buffer). */
export async function renewCreds(ctx: DatabaseContext, lease: LeaseInfo, newExpireTime: Date): Promise<void> {
  const internal = internalOf(lease);
  const role: RoleRecord | undefined = await ctx.store.role(internal.role);
  if (!role) throw new CofferError('invalid_request', `error during renew: could not find role with name "${internal.role}"`);
  const config = await configFor(ctx, role.dbName);
  const expiration = new Date(newExpireTime.getTime() + VALIDITY_BUFFER_MS);
  await ctx.connections.use(config, ({ connection }) => connection.renewUser(internal.username, expiration, role.renewStatements));
}

/**
 * Drops the user and its sessions. The role's current statements are used while it exists;
 * after it is deleted, the ones kept with the lease.
 */
export async function revokeCreds(ctx: DatabaseContext, lease: LeaseInfo): Promise<void> {
  const internal = internalOf(lease);
  const role = internal.role === '' ? undefined : await ctx.store.role(internal.role);
  const dbName = role?.dbName ?? internal.db_name;
  if (dbName === '') throw new CofferError('internal', `could not find role "${internal.role}" or the connection it used`);
  const config = await ctx.store.config(dbName);
  if (!config) {
    throw new CofferError('upstream', `failed to find entry for connection with name: "${dbName}"; sys/leases/revoke-force removes the lease`);
  }
  const statements = role ? role.revocationStatements : internal.revocation_statements;
  await ctx.connections.use(config, ({ connection }) => connection.revokeUser(internal.username, statements));
}
