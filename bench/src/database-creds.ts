import { api, mount } from '@coffer/e2e';
import type { PostgresServer } from '@coffer/testkit';
import type { RequestFactory } from './load/request-spec.js';

/** The role whose credentials the scenario asks for, and the lease prefix they live under. */
export const DATABASE_ROLE = 'bench';
export const CREDS_PATH = `database/creds/${DATABASE_ROLE}`;

/**
 * One statement, as the smallest useful role does it (and as the raw ceiling runs it verbatim):
 * a login with a password that stops working a little after the lease ends.
 */
export const CREATE_ROLE_STATEMENT = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`;

/**
 * Leases end two minutes after issue: longer than a block takes (warm-up, rounds, then a
 * revoke-prefix of a few thousand leases at ~130/s), so no lease-end revocation lands in a measured
 * round or races the timed revoke-prefix; a server that dies mid-block still drops its users soon.
 */
export const CREDS_TTL = '2m';

/** Fills `{{key}}` placeholders, as Coffer renders creation statements (no quoting: values are ours). */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}

async function ok(origin: string, token: string, path: string, body: unknown): Promise<void> {
  const res = await api(origin, 'POST', path, { token, body });
  if (res.status >= 300) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(res.json)}`);
}

/**
 * The database secrets engine at database/ pointed at `postgres` as its superuser, with one role.
 * `poolSize` is the engine's max_open_connections (Coffer's default is 4): the same number of
 * connections the raw CREATE ROLE ceiling gets, so the two compare like for like.
 */
export async function seedDatabaseCreds(origin: string, token: string, postgres: PostgresServer, poolSize: number): Promise<RequestFactory> {
  await mount(origin, token, 'database', 'database');
  await ok(origin, token, 'database/config/bench', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: postgres.templateUrl(),
    username: postgres.adminUser,
    password: postgres.adminPassword,
    allowed_roles: DATABASE_ROLE,
    max_open_connections: poolSize,
  });
  await ok(origin, token, `database/roles/${DATABASE_ROLE}`, { db_name: 'bench', creation_statements: CREATE_ROLE_STATEMENT, default_ttl: CREDS_TTL, max_ttl: '1h' });
  const headers = { 'x-vault-token': token };
  return () => ({ method: 'GET', path: `/v1/${CREDS_PATH}`, headers });
}

/** Roles Coffer created in this PostgreSQL (its default username template starts with `v-`). */
export async function cofferRolesLeft(postgres: PostgresServer): Promise<number> {
  const rows = await postgres.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'v-%'`);
  return rows[0]?.n ?? 0;
}
