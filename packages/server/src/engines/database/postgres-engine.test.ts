import { InMemoryStorage, type Logger } from '@coffer/sdk';
import { freePorts, startPostgres, type PostgresServer } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasswordPolicyStore } from '../../core/password-policy/password-policy-store.js';
import { databaseHarness, type DatabaseHarness } from './database-harness.js';

const CREATE = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';
GRANT SELECT ON widgets TO "{{name}}";`;

let pg: PostgresServer;
const harnesses: DatabaseHarness[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  await pg.query('CREATE TABLE widgets (id int)');
  await pg.query('INSERT INTO widgets VALUES (1), (2)');
});

afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  await pg?.close();
});

async function harness(options: Parameters<typeof databaseHarness>[0] = {}): Promise<DatabaseHarness> {
  const h = await databaseHarness(options);
  harnesses.push(h);
  return h;
}

async function configured(extra: Record<string, unknown> = {}, options: Parameters<typeof databaseHarness>[0] = {}) {
  const h = await harness(options);
  await h.call('write', 'config/pg', {
    plugin_name: 'postgresql-database-plugin',
    connection_url: pg.templateUrl(),
    username: 'postgres',
    password: pg.adminPassword,
    allowed_roles: 'ro, app-*',
    ...extra,
  });
  await h.call('write', 'roles/ro', { db_name: 'pg', creation_statements: CREATE, default_ttl: '1h', max_ttl: '2h' });
  return h;
}

const roleExists = async (name: string) => (await pg.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).length === 1;
const validUntil = async (name: string) =>
  ((await pg.query<{ v: Date }>('SELECT rolvaliduntil AS v FROM pg_roles WHERE rolname = $1', [name]))[0]?.v as Date).getTime();

/** Keeps every log call (bindings and message) for the test to search. */
function collectingLogger(into: unknown[]): Logger {
  const log = (level: string) => (bindings: unknown, message?: string) => into.push({ level, bindings, message });
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('database engine on PostgreSQL 15', () => {
  it('keeps the connection, never shows its password, lists and resets it', async () => {
    const h = await configured({ connection_url: pg.templateUrl(), max_open_connections: 6 });
    const read = await h.call('read', 'config/pg');
    expect(read?.data).toMatchObject({
      plugin_name: 'postgresql-database-plugin',
      allowed_roles: ['ro', 'app-*'],
      connection_details: { connection_url: pg.templateUrl(), username: 'postgres', max_open_connections: 6, max_idle_connections: 6 },
    });
    expect(JSON.stringify(read)).not.toContain(pg.adminPassword);
    expect((await h.call('list', 'config/'))?.data).toEqual({ keys: ['pg'] });
    expect(await h.call('write', 'reset/pg')).toBeUndefined();
    expect((await h.call('read', 'creds/ro'))?.data).toHaveProperty('username');
    // A literal password in the URL works, is warned about, and is redacted on read.
    const literal = `postgresql://postgres:${pg.adminPassword}@127.0.0.1:${pg.port}/postgres?sslmode=disable`;
    expect((await h.call('write', 'config/lit', { plugin_name: 'postgresql-database-plugin', connection_url: literal }))?.warnings?.[0]).toMatch(
      /Password found in connection_url/,
    );
    expect(JSON.stringify(await h.call('read', 'config/lit'))).not.toContain(pg.adminPassword);
  });

  it('issues a user that logs in and reads what the role grants; revocation drops it and terminates its session', async () => {
    const h = await configured();
    const response = await h.call('read', 'creds/ro');
    const { username, password } = response?.data as { username: string; password: string };
    expect(username).toMatch(/^v--ro-[0-9A-Za-z]{20}-\d{10}$/);
    expect(password).toMatch(/^[A-Za-z0-9-]{20}$/);
    expect(response?.secret).toMatchObject({ ttl: 3600, maxTtl: 7200, renewable: true, internal: { username, role: 'ro', db_name: 'pg' } });
    // VALID UNTIL is the lease's end plus Vault's few seconds of slack.
    expect(Math.abs((await validUntil(username)) - (Date.now() + 3605_000))).toBeLessThan(60_000);

    const session = await pg.connect(username, password);
    expect((await session.query('SELECT count(*)::int AS n FROM widgets')).rows).toEqual([{ n: 2 }]);

    const lease = h.leaseOf(response, 'creds/ro');
    await h.engine.renewSecret?.(lease, new Date(Date.now() + 7200_000));
    expect(Math.abs((await validUntil(username)) - (Date.now() + 7205_000))).toBeLessThan(60_000);

    await h.engine.revokeSecret?.(lease);
    expect(await roleExists(username)).toBe(false);
    expect(await pg.canLogin(username, password)).toBe(false);
    await expect(session.query('SELECT 1')).rejects.toThrow();
    // Revoking what is already gone is success (retries, revoke after expiry).
    await h.engine.revokeSecret?.(lease);
  });

  it('runs custom revocation statements, still terminating open sessions', async () => {
    const h = await configured();
    await h.call('write', 'roles/ro', { revocation_statements: ['REVOKE ALL ON widgets FROM "{{name}}"; DROP ROLE "{{name}}";'] });
    const response = await h.call('read', 'creds/ro');
    const { username, password } = response?.data as { username: string; password: string };
    const session = await pg.connect(username, password);
    await h.engine.revokeSecret?.(h.leaseOf(response, 'creds/ro'));
    expect(await roleExists(username)).toBe(false);
    await expect(session.query('SELECT 1')).rejects.toThrow();
  });

  it('reports SQL errors with the database message and no password, and leaves no user behind', async () => {
    const known = 'Kn0wn-Passw0rd-abcde';
    const h = await configured({}, { passwords: { generate: async () => known } });
    await h.call('write', 'roles/app-broken', {
      db_name: 'pg',
      creation_statements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}'`, `SELECT '{{password}}'::int`],
      rollback_statements: 'DROP ROLE IF EXISTS "{{name}}"',
    });
    const error = await h.call('read', 'creds/app-broken').catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'upstream' });
    expect((error as Error).message).toMatch(/invalid input syntax for type integer: "\[password\]"/);
    expect((error as Error).message).not.toContain(known);
    expect(await pg.query(`SELECT 1 FROM pg_roles WHERE rolname LIKE 'v--app-bro%'`)).toEqual([]);
  });

  it('refuses bad input: unknown plugin, unreachable database, role not allowed, TTL above max_ttl', async () => {
    const h = await configured();
    await expect(h.call('write', 'config/x', { plugin_name: 'oracle-database-plugin', connection_url: pg.templateUrl() })).rejects.toThrow(
      /unknown plugin "oracle-database-plugin"/,
    );
    const [closed] = await freePorts(1);
    const unreachable = `postgresql://{{username}}:{{password}}@127.0.0.1:${closed}/postgres`;
    const refused = await h
      .call('write', 'config/down', { plugin_name: 'postgresql', connection_url: unreachable, username: 'postgres', password: 'Secret-Root-1' })
      .catch((e: Error) => e);
    expect(refused).toMatchObject({ code: 'invalid_request' });
    expect((refused as Error).message).toMatch(/error verifying connection: .*ECONNREFUSED/);
    expect((refused as Error).message).not.toContain('Secret-Root-1');
    expect(await h.call('read', 'config/down')).toBeUndefined();

    await h.call('write', 'config/down', {
      plugin_name: 'postgresql',
      connection_url: unreachable,
      username: 'postgres',
      password: 'Secret-Root-1',
      verify_connection: false,
      allowed_roles: '*',
    });
    await h.call('write', 'roles/down', { db_name: 'down', creation_statements: CREATE });
    await expect(h.call('read', 'creds/down')).rejects.toMatchObject({ code: 'upstream', message: expect.stringMatching(/ECONNREFUSED/) });

    await h.call('write', 'roles/other', { db_name: 'pg', creation_statements: CREATE });
    await expect(h.call('read', 'creds/other')).rejects.toThrow('"other" is not an allowed role');
    await expect(h.call('write', 'roles/ro', { default_ttl: '3h', max_ttl: '1h' })).rejects.toThrow('default_ttl cannot be greater than max_ttl');
    await expect(h.call('read', 'creds/nope')).rejects.toThrow('unknown role: nope');
    await expect(h.call('write', 'static-roles/ro', { db_name: 'pg', username: 'x', rotation_period: 60 })).rejects.toThrow(/must be unique/);
  });

  it('follows the username template, the password policy and SCRAM authentication of the config', async () => {
    const storage = new InMemoryStorage();
    const policies = new PasswordPolicyStore(storage);
    await policies.write('digits', 'length = 24\nrule "charset" {\n  charset = "0123456789"\n}\n');
    const h = await configured(
      { username_template: 'app_{{ .RoleName }}_{{ random 8 | lowercase }}', password_policy: 'digits', password_authentication: 'scram-sha-256' },
      { passwords: policies },
    );
    const { username, password } = (await h.call('read', 'creds/ro'))?.data as { username: string; password: string };
    expect(username).toMatch(/^app_ro_[0-9a-z]{8}$/);
    expect(password).toMatch(/^\d{24}$/);
    expect(await pg.canLogin(username, password)).toBe(true);
    await h.call('write', 'config/pg', { password_policy: 'missing' });
    await expect(h.call('read', 'creds/ro')).rejects.toThrow(/password policy "missing" does not exist/);
  });

  it('rotate-root: the old root password stops working and credentials are still issued', async () => {
    await pg.query(`CREATE ROLE coffer_root WITH SUPERUSER LOGIN PASSWORD 'initial-root-pw'`);
    const h = await configured({ username: 'coffer_root', password: 'initial-root-pw' });
    expect(await h.call('write', 'rotate-root/pg')).toBeUndefined();
    expect(await pg.canLogin('coffer_root', 'initial-root-pw')).toBe(false);
    const { username, password } = (await h.call('read', 'creds/ro'))?.data as { username: string; password: string };
    expect(await pg.canLogin(username, password)).toBe(true);
    expect(Object.keys((await h.call('read', 'config/pg'))?.data?.connection_details as object)).not.toContain('password');
  });

  it('rotates a static role at creation, on its period and on demand; the old password stops working', async () => {
    await pg.query(`CREATE ROLE static_app WITH LOGIN PASSWORD 'original-pw'`);
    const h = await configured();
    await expect(h.call('write', 'static-roles/app-bad', { db_name: 'pg', username: 'static_app', rotation_period: 2 })).rejects.toThrow(
      'rotation_period must be 5 seconds or more',
    );
    await h.call('write', 'static-roles/app-static', { db_name: 'pg', username: 'static_app', rotation_period: '5s' });
    expect(await pg.canLogin('static_app', 'original-pw')).toBe(false);
    const first = (await h.call('read', 'static-creds/app-static'))?.data as { password: string; ttl: number; rotation_period: number };
    expect(first).toMatchObject({ username: 'static_app', rotation_period: 5 });
    expect(first.ttl).toBeLessThanOrEqual(5);
    expect(await pg.canLogin('static_app', first.password)).toBe(true);
    expect((await h.call('read', 'static-roles/app-static'))?.data).toMatchObject({ username: 'static_app', rotation_period: 5 });

    let second = first;
    await eventually(async () => {
      second = (await h.call('read', 'static-creds/app-static'))?.data as typeof first;
      return second.password !== first.password;
    }, 'rotation on the period');
    expect(await pg.canLogin('static_app', first.password)).toBe(false);
    expect(await pg.canLogin('static_app', second.password)).toBe(true);

    await h.call('write', 'rotate-role/app-static');
    const third = (await h.call('read', 'static-creds/app-static'))?.data as typeof first;
    expect(third.password).not.toBe(second.password);
    expect(await pg.canLogin('static_app', third.password)).toBe(true);
    await h.call('delete', 'static-roles/app-static');
    expect(await h.call('read', 'static-creds/app-static').catch((e: Error) => e.message)).toBe('unknown role: app-static');
  });

  it('a restart neither rotates a static role twice nor misses a due rotation, and finishes one cut short', async () => {
    await pg.query(`CREATE ROLE static_restart WITH LOGIN PASSWORD 'x'`);
    const storage = new InMemoryStorage();
    const a = await configured({}, { storage });
    await a.call('write', 'static-roles/app-r', { db_name: 'pg', username: 'static_restart', rotation_period: '1h' });
    const creds = async (h: DatabaseHarness) => {
      const data = (await h.call('read', 'static-creds/app-r'))?.data as { password: string; last_vault_rotation: string };
      return { password: data.password, last_vault_rotation: data.last_vault_rotation };
    };
    const created = await creds(a);
    await a.close();

    const b = await harness({ storage });
    await b.engine.periodic?.();
    expect(await creds(b)).toEqual(created);
    await b.close();

    // Down while it came due: the next active engine rotates it once.
    const key = 'static-role/app-r';
    const record = JSON.parse(Buffer.from((await storage.get(key)) as Uint8Array).toString()) as Record<string, unknown>;
    await storage.put(key, Buffer.from(JSON.stringify({ ...record, nextRotation: Date.now() - 1000 })));
    const c = await harness({ storage });
    await c.engine.periodic?.();
    const late = await creds(c);
    expect(late.password).not.toBe(created.password);
    await c.engine.periodic?.();
    expect(await creds(c)).toEqual(late);
    expect(await pg.canLogin('static_restart', late.password)).toBe(true);
    await c.close();

    // Cut short after the WAL was written: finished with the WAL's password, not a new one.
    await storage.put('wal/static/app-r', Buffer.from(JSON.stringify({ password: 'From-The-Wal-0001', startedAt: Date.now() })));
    const d = await harness({ storage });
    await d.engine.periodic?.();
    expect((await creds(d)).password).toBe('From-The-Wal-0001');
    expect(await pg.canLogin('static_restart', 'From-The-Wal-0001')).toBe(true);
    expect(await storage.get('wal/static/app-r')).toBeUndefined();
  });

  it('keeps an expired lease pending while the database is down, and drops the user once it is back (logging no secret)', async () => {
    const logs: unknown[] = [];
    const h = await configured({}, { logger: collectingLogger(logs) });
    const response = await h.call('read', 'creds/ro');
    const { username, password } = response?.data as { username: string; password: string };
    const manager = h.expiration();
    try {
      await pg.stop();
      const lease = await manager.registerSecret({
        path: 'database/creds/ro',
        mountAccessor: 'database_test',
        ttlSeconds: 1,
        maxTtlSeconds: 60,
        renewable: true,
        internal: response?.secret?.internal ?? {},
      });
      await eventually(async () => ((await manager.lookup(lease.id))?.revokeAttempts ?? 0) >= 2, 'two failed attempts');
      const pending = await manager.lookup(lease.id);
      expect(pending?.irrevocable).toBeUndefined();
      expect(pending?.lastRevokeError).toMatch(/ECONNREFUSED/);
      await pg.start();
      await eventually(async () => (await manager.lookup(lease.id)) === undefined, 'revoked once the database is back');
      expect(await roleExists(username)).toBe(false);
      const logged = JSON.stringify(logs, (_key, value: unknown) =>
        value instanceof Error ? { ...value, message: value.message, cause: value.cause } : value,
      );
      expect(logged).toMatch(/lease revocation failed; will retry/);
      for (const secret of [pg.adminPassword, password, encodeURIComponent(pg.adminPassword)]) expect(logged).not.toContain(secret);
      expect(logged).not.toContain(pg.templateUrl());
    } finally {
      await pg.start();
    }
  });
});
