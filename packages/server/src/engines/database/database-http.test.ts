import { startMariadb, startPostgres, type MariadbServer, type PostgresServer } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, initAndUnseal, type TestApp } from '../../../test/helpers.js';

/**
 * The whole server pipeline (HTTP, tokens, ACL, audit, router, lease registration) with leases
 * that really expire through the expiration manager, against real PostgreSQL and MariaDB.
 */
let pg: PostgresServer;
let maria: MariadbServer;
let t: TestApp;
let root: string;

const PG_CREATE = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON widgets TO "{{name}}";`;
const MARIA_CREATE = `CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'; GRANT SELECT ON shop.widgets TO '{{name}}'@'%';`;

interface Creds {
  lease_id: string;
  lease_duration: number;
  renewable: boolean;
  mount_type: string;
  data: { username: string; password: string };
}

beforeAll(async () => {
  [pg, maria] = await Promise.all([startPostgres(), startMariadb()]);
  await pg.query('CREATE TABLE widgets (id int)');
  await maria.query('CREATE DATABASE shop');
  await maria.query('CREATE TABLE shop.widgets (id int)');
  t = await createTestApp();
  root = (await initAndUnseal(t)).rootToken;
  const ok = async (method: string, url: string, body?: unknown) => {
    const res = await call(t, root, method, url, body);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  };
  await ok('POST', '/v1/sys/mounts/database', { type: 'database' });
  await ok('POST', '/v1/database/config/pg', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: pg.templateUrl(),
    username: 'postgres',
    password: pg.adminPassword,
    allowed_roles: '*',
  });
  await ok('POST', '/v1/database/config/maria', {
    plugin_name: 'mysql-database-plugin',
    connection_url: maria.templateUrl(),
    username: 'root',
    password: maria.adminPassword,
    allowed_roles: ['maria-*'],
  });
  for (const [name, db, creation, ttl, maxTtl] of [
    ['pg-short', 'pg', PG_CREATE, '2s', '6s'],
    ['pg-long', 'pg', PG_CREATE, '1h', '2h'],
    ['maria-short', 'maria', MARIA_CREATE, '2s', '6s'],
    ['maria-long', 'maria', MARIA_CREATE, '1h', '2h'],
  ] as const) {
    await ok('POST', `/v1/database/roles/${name}`, { db_name: db, creation_statements: creation, default_ttl: ttl, max_ttl: maxTtl });
  }
});

afterAll(async () => {
  await t?.close();
  await Promise.all([pg?.close(), maria?.close()]);
});

async function creds(role: string): Promise<Creds> {
  const res = await call(t, root, 'GET', `/v1/database/creds/${role}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Creds;
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Per database: is the user in the catalogue, can it log in, and a session opened as it. */
const databases = {
  pg: {
    exists: async (u: string) => (await pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [u])).length > 0,
    canLogin: (u: string, p: string) => pg.canLogin(u, p),
    session: async (u: string, p: string) => {
      const client = await pg.connect(u, p);
      await client.query('SELECT count(*) FROM widgets');
      return { alive: () => client.query('SELECT 1').then(() => true, () => false), end: () => client.end().catch(() => undefined) };
    },
    count: async (users: string[]) => (await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = ANY($1)', [users]))[0]?.n,
  },
  maria: {
    exists: async (u: string) => (await maria.query('SELECT 1 FROM mysql.user WHERE User = ?', [u])).length > 0,
    canLogin: (u: string, p: string) => maria.canLogin(u, p),
    session: async (u: string, p: string) => {
      const connection = await maria.connect(u, p);
      await connection.query('SELECT COUNT(*) FROM shop.widgets');
      return { alive: () => connection.query('SELECT 1').then(() => true, () => false), end: () => connection.end().catch(() => undefined) };
    },
    count: async (users: string[]) =>
      (await maria.query<{ n: number }>('SELECT COUNT(*) AS n FROM mysql.user WHERE User IN (?)', [users]))[0]?.n,
  },
} as const;

describe.each(['pg', 'maria'] as const)('dynamic credentials through the server (%s)', (kind) => {
  const db = databases[kind];

  it('expires after the TTL: the user cannot log in, is gone from the catalogue, and its session is terminated', async () => {
    const issued = await creds(`${kind}-short`);
    expect(issued).toMatchObject({ lease_duration: 2, renewable: true, mount_type: 'database' });
    expect(issued.lease_id).toMatch(new RegExp(`^database/creds/${kind}-short/[0-9A-Za-z]{24}$`));
    const { username, password } = issued.data;
    const session = await db.session(username, password);
    try {
      await eventually(async () => !(await db.exists(username)), 'user dropped on expiry');
      expect(await db.canLogin(username, password)).toBe(false);
      await eventually(async () => !(await session.alive()), 'session terminated');
      const lookup = await call(t, root, 'PUT', '/v1/sys/leases/lookup', { lease_id: issued.lease_id });
      expect(lookup.statusCode).toBe(400);
    } finally {
      await session.end();
    }
  });

  it('revoke drops the user at once', async () => {
    const issued = await creds(`${kind}-long`);
    const { username, password } = issued.data;
    const session = await db.session(username, password);
    const res = await call(t, root, 'PUT', '/v1/sys/leases/revoke', { lease_id: issued.lease_id });
    expect(res.statusCode).toBe(204);
    expect(await db.exists(username)).toBe(false);
    expect(await db.canLogin(username, password)).toBe(false);
    await eventually(async () => !(await session.alive()), 'session terminated');
    await session.end();
  });

  it('renew keeps the user past the first TTL, but never past max_ttl', async () => {
    const issued = await creds(`${kind}-short`);
    const issuedAt = Date.now();
    const { username, password } = issued.data;
    const renewed = await call(t, root, 'PUT', '/v1/sys/leases/renew', { lease_id: issued.lease_id, increment: 3600 });
    expect(renewed.statusCode, renewed.body).toBe(200);
    const body = renewed.json() as { lease_duration: number; warnings: string[] | null };
    expect(body.lease_duration).toBeLessThanOrEqual(6);
    expect(body.lease_duration).toBeGreaterThan(2);
    expect(body.warnings?.[0]).toMatch(/capped/);
    // Well past the first TTL (2 s), well before max_ttl (6 s).
    await new Promise((r) => setTimeout(r, Math.max(0, issuedAt + 3500 - Date.now())));
    expect(await db.exists(username)).toBe(true);
    expect(await db.canLogin(username, password)).toBe(true);
    await eventually(async () => !(await db.exists(username)), 'user dropped at max_ttl');
    expect(Date.now() - issuedAt).toBeGreaterThan(5000);
    const late = await call(t, root, 'PUT', '/v1/sys/leases/renew', { lease_id: issued.lease_id });
    expect(late.statusCode).toBe(400);
  });

  it('200 credentials issued concurrently are distinct, all work, and revoke-prefix drops every one', async () => {
    const issued = await Promise.all(Array.from({ length: 200 }, () => creds(`${kind}-long`)));
    const users = issued.map((c) => c.data.username);
    expect(new Set(users).size).toBe(200);
    expect(new Set(issued.map((c) => c.lease_id)).size).toBe(200);
    for (let i = 0; i < issued.length; i += 25) {
      const batch = issued.slice(i, i + 25);
      expect(await Promise.all(batch.map((c) => db.canLogin(c.data.username, c.data.password)))).toEqual(batch.map(() => true));
    }
    expect(await db.count(users)).toBe(200);
    const res = await call(t, root, 'PUT', `/v1/sys/leases/revoke-prefix/database/creds/${kind}-long`);
    expect(res.statusCode, res.body).toBe(204);
    expect(await db.count(users)).toBe(0);
  });

  it('drops every user when many leases expire together (revocations run concurrently)', async () => {
    const issued = await Promise.all(Array.from({ length: 40 }, () => creds(`${kind}-short`)));
    const users = issued.map((c) => c.data.username);
    await eventually(async () => (await db.count(users)) === 0, 'all 40 users dropped');
    const left = await call(t, root, 'GET', `/v1/sys/leases/lookup/database/creds/${kind}-short/?list=true`);
    expect(left.statusCode).toBe(404);
  });
});

describe('bad input and password policies through the server', () => {
  it('shows a failing revocation in sys/leases/lookup until revoke-force clears it', async () => {
    await call(t, root, 'POST', '/v1/database/roles/pg-broken-revoke', {
      db_name: 'pg',
      creation_statements: PG_CREATE,
      revocation_statements: 'DROP ROLE no_such_syntax_here ((',
      default_ttl: '1h',
    });
    const issued = await creds('pg-broken-revoke');
    const revoke = await call(t, root, 'PUT', '/v1/sys/leases/revoke', { lease_id: issued.lease_id });
    expect(revoke.statusCode).toBe(502);
    const lookup = await call(t, root, 'PUT', '/v1/sys/leases/lookup', { lease_id: issued.lease_id });
    expect(lookup.statusCode).toBe(200);
    expect(lookup.json().data).toMatchObject({ id: issued.lease_id, revoke_attempts: 1, irrevocable: false });
    expect(lookup.json().data.last_revoke_error).toMatch(/syntax error/);
    expect(lookup.body).not.toContain(issued.data.password);
    expect(lookup.body).not.toContain(pg.adminPassword);

    const forced = await call(t, root, 'PUT', `/v1/sys/leases/revoke-force/database/creds/pg-broken-revoke`);
    expect(forced.statusCode).toBe(204);
    expect((await call(t, root, 'PUT', '/v1/sys/leases/lookup', { lease_id: issued.lease_id })).statusCode).toBe(400);
    // revoke-force forgets the lease, not the user: the operator drops it by hand, as in Vault.
    expect(await databases.pg.exists(issued.data.username)).toBe(true);
    await pg.query(`REVOKE ALL ON widgets FROM "${issued.data.username}"`);
    await pg.query(`DROP ROLE "${issued.data.username}"`);
  });

  it('answers 400 for a role outside allowed_roles or a TTL above max_ttl, 502 for SQL errors without the password', async () => {
    await call(t, root, 'POST', '/v1/database/roles/pg-outside', { db_name: 'maria', creation_statements: MARIA_CREATE });
    const outside = await call(t, root, 'GET', '/v1/database/creds/pg-outside');
    expect(outside.statusCode).toBe(400);
    expect(outside.json()).toEqual({ errors: ['"pg-outside" is not an allowed role'] });
    const ttl = await call(t, root, 'POST', '/v1/database/roles/bad-ttl', { db_name: 'pg', default_ttl: '2h', max_ttl: '1h' });
    expect(ttl.statusCode).toBe(400);
    const plugin = await call(t, root, 'POST', '/v1/database/config/x', { plugin_name: 'nosql-database-plugin', connection_url: 'x' });
    expect(plugin.statusCode).toBe(400);

    await call(t, root, 'POST', '/v1/database/roles/pg-sql-error', { db_name: 'pg', creation_statements: `SELECT '{{password}}'::int` });
    const failed = await call(t, root, 'GET', '/v1/database/creds/pg-sql-error');
    expect(failed.statusCode).toBe(502);
    expect((failed.json() as { errors: string[] }).errors[0]).toBe('failed to execute query: invalid input syntax for type integer: "[password]"');
  });

  it('generates passwords from sys/policies/password, and the engine uses the policy the config names', async () => {
    const policy = 'length = 30\nrule "charset" {\n  charset = "abcdef"\n  min-chars = 1\n}\n';
    expect((await call(t, root, 'POST', '/v1/sys/policies/password/hex-ish', { policy })).statusCode).toBe(204);
    expect((await call(t, root, 'GET', '/v1/sys/policies/password/hex-ish')).json()).toMatchObject({ data: { policy } });
    expect((await call(t, root, 'GET', '/v1/sys/policies/password?list=true')).json()).toMatchObject({ data: { keys: ['hex-ish'] } });
    const generated = await call(t, root, 'GET', '/v1/sys/policies/password/hex-ish/generate');
    expect((generated.json() as { data: { password: string } }).data.password).toMatch(/^[a-f]{30}$/);
    expect((await call(t, root, 'GET', '/v1/sys/policies/password/nope')).statusCode).toBe(404);
    const bad = await call(t, root, 'POST', '/v1/sys/policies/password/bad', { policy: 'length = 2' });
    expect(bad.statusCode).toBe(400);

    await call(t, root, 'POST', '/v1/database/config/pg', { password_policy: 'hex-ish' });
    const issued = await creds('pg-long');
    expect(issued.data.password).toMatch(/^[a-f]{30}$/);
    expect(await pg.canLogin(issued.data.username, issued.data.password)).toBe(true);
    await call(t, root, 'POST', '/v1/database/config/pg', { password_policy: '' });
    await call(t, root, 'DELETE', '/v1/sys/policies/password/hex-ish');
    expect((await call(t, root, 'GET', '/v1/sys/policies/password/hex-ish')).statusCode).toBe(404);
  });
});
