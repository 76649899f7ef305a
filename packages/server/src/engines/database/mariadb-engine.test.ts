import { InMemoryStorage } from '@coffer/sdk';
import { freePorts, startMariadb, type MariadbServer } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseHarness, type DatabaseHarness } from './database-harness.js';

const CREATE = `CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'; GRANT SELECT ON shop.widgets TO '{{name}}'@'%';`;

let db: MariadbServer;
const harnesses: DatabaseHarness[] = [];

beforeAll(async () => {
  db = await startMariadb();
  await db.query('CREATE DATABASE shop');
  await db.query('CREATE TABLE shop.widgets (id int)');
  await db.query('INSERT INTO shop.widgets VALUES (1), (2), (3)');
});

afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  await db?.close();
});

async function configured(extra: Record<string, unknown> = {}, options: Parameters<typeof databaseHarness>[0] = {}) {
  const h = await databaseHarness(options);
  harnesses.push(h);
  await h.call('write', 'config/maria', {
    plugin_name: 'mysql-database-plugin',
    connection_url: db.templateUrl(),
    username: 'root',
    password: db.adminPassword,
    allowed_roles: ['ro', 'app-*'],
    ...extra,
  });
  await h.call('write', 'roles/ro', { db_name: 'maria', creation_statements: CREATE, default_ttl: 3600 });
  return h;
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const userExists = async (name: string) => (await db.query('SELECT 1 FROM mysql.user WHERE User = ?', [name])).length > 0;

describe('database engine on MariaDB 10.11', () => {
  it('accepts the mariadb spelling and Vault DSNs, never shows the password, and resets the pool', async () => {
    const h = await configured({ plugin_name: 'mariadb' });
    const read = await h.call('read', 'config/maria');
    expect(read?.data).toMatchObject({ plugin_name: 'mariadb-database-plugin', connection_details: { connection_url: db.templateUrl(), username: 'root' } });
    expect(JSON.stringify(read)).not.toContain(db.adminPassword);
    await h.call('write', 'reset/maria');
    expect((await h.call('read', 'creds/ro'))?.data).toHaveProperty('password');
  });

  it('issues a user that logs in and reads what the role grants; revocation drops it and kills its session', async () => {
    const h = await configured();
    const response = await h.call('read', 'creds/ro');
    const { username, password } = response?.data as { username: string; password: string };
    expect(username).toMatch(/^v--ro-[0-9A-Za-z]{20}-\d+$/);
    expect(username.length).toBeLessThanOrEqual(32);
    const session = await db.connect(username, password);
    expect((await session.query('SELECT COUNT(*) AS n FROM shop.widgets'))[0]).toEqual([{ n: 3 }]);

    // MySQL users have no validity date: renewal leaves the user as it is.
    const lease = h.leaseOf(response, 'creds/ro');
    await h.engine.renewSecret?.(lease, new Date(Date.now() + 7200_000));
    expect(await userExists(username)).toBe(true);

    await h.engine.revokeSecret?.(lease);
    expect(await userExists(username)).toBe(false);
    expect(await db.canLogin(username, password)).toBe(false);
    await expect(session.query('SELECT 1')).rejects.toThrow();
    await h.engine.revokeSecret?.(lease);
  });

  it('runs custom revocation statements and still kills open sessions', async () => {
    const h = await configured();
    await h.call('write', 'roles/ro', { revocation_statements: "DROP USER IF EXISTS '{{name}}'@'%'" });
    const response = await h.call('read', 'creds/ro');
    const { username, password } = response?.data as { username: string; password: string };
    const session = await db.connect(username, password);
    await h.engine.revokeSecret?.(h.leaseOf(response, 'creds/ro'));
    expect(await userExists(username)).toBe(false);
    await expect(session.query('SELECT 1')).rejects.toThrow();
  });

  it('reports SQL errors with the database message and no password, and rolls back a half-made user', async () => {
    const known = 'Kn0wn-Passw0rd-abcde';
    const h = await configured({}, { passwords: { generate: async () => known } });
    await h.call('write', 'roles/app-signal', {
      db_name: 'maria',
      creation_statements: `CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'; SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{{password}}'`,
    });
    const error = await h.call('read', 'creds/app-signal').catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'upstream', message: 'failed to execute query: [password]' });
    await h.call('write', 'roles/app-broken', {
      db_name: 'maria',
      creation_statements: `CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'; GRANT SELECT ON shop.nosuch TO '{{name}}'@'%'`,
    });
    await expect(h.call('read', 'creds/app-broken')).rejects.toThrow(/Table 'shop.nosuch' doesn't exist/);
    // No transactional DDL: the user made by the first statement is dropped by the rollback.
    expect(await db.query("SELECT User FROM mysql.user WHERE User LIKE 'v--app-%'")).toEqual([]);
  });

  it('refuses an unreachable database and usernames longer than the plugin allows', async () => {
    const h = await configured();
    const [closed] = await freePorts(1);
    await expect(
      h.call('write', 'config/down', { plugin_name: 'mysql-database-plugin', connection_url: `{{username}}:{{password}}@tcp(127.0.0.1:${closed})/`, username: 'root', password: 'x' }),
    ).rejects.toThrow(/error creating database object: error verifying connection: .*ECONNREFUSED/);
    await h.call('write', 'config/maria', { username_template: '{{ printf "%s-%s" (random 30) .RoleName }}' });
    await expect(h.call('read', 'creds/ro')).rejects.toThrow('the username template produced a 33-character username; mysql-database-plugin allows at most 32');
    await h.call('write', 'config/legacy', {
      plugin_name: 'mysql-legacy-database-plugin',
      connection_url: db.templateUrl(),
      username: 'root',
      password: db.adminPassword,
      allowed_roles: '*',
    });
    await h.call('write', 'roles/legacy', { db_name: 'legacy', creation_statements: CREATE });
    const { username } = (await h.call('read', 'creds/legacy'))?.data as { username: string };
    expect(username).toMatch(/^v-lega-[0-9A-Za-z]{9}$/);
  });

  it('keeps an expired lease pending while the database is down, and drops the user once it is back', async () => {
    const h = await configured();
    const response = await h.call('read', 'creds/ro');
    const { username } = response?.data as { username: string };
    // A pooled connection from before the outage must not poison the pool afterwards.
    expect(await userExists(username)).toBe(true);
    const manager = h.expiration();
    try {
      await db.stop();
      const lease = await manager.registerSecret({
        path: 'database/creds/ro',
        mountAccessor: 'database_test',
        ttlSeconds: 1,
        maxTtlSeconds: 60,
        renewable: true,
        internal: response?.secret?.internal ?? {},
      });
      await eventually(async () => ((await manager.lookup(lease.id))?.revokeAttempts ?? 0) >= 2, 'two failed attempts');
      expect((await manager.lookup(lease.id))?.lastRevokeError).toMatch(/ECONNREFUSED/);
      await db.start();
      await eventually(async () => (await manager.lookup(lease.id)) === undefined, 'revoked once the database is back');
      expect(await userExists(username)).toBe(false);
    } finally {
      await db.start();
    }
  });

  it('rotate-root: the old root password stops working and credentials are still issued', async () => {
    await db.query("CREATE USER 'coffer_root'@'%' IDENTIFIED BY 'initial-root-pw'");
    await db.query("GRANT ALL PRIVILEGES ON *.* TO 'coffer_root'@'%' WITH GRANT OPTION");
    const h = await configured({ username: 'coffer_root', password: 'initial-root-pw' });
    await h.call('write', 'rotate-root/maria');
    expect(await db.canLogin('coffer_root', 'initial-root-pw')).toBe(false);
    const { username, password } = (await h.call('read', 'creds/ro'))?.data as { username: string; password: string };
    expect(await db.canLogin(username, password)).toBe(true);
  });

  it('rotates a static role at creation, on demand and when it came due during a restart', async () => {
    await db.query("CREATE USER 'static_app'@'%' IDENTIFIED BY 'original-pw'");
    const storage = new InMemoryStorage();
    const h = await configured({}, { storage });
    await h.call('write', 'static-roles/app-static', { db_name: 'maria', username: 'static_app', rotation_schedule: '0 * * * *' });
    expect(await db.canLogin('static_app', 'original-pw')).toBe(false);
    const first = (await h.call('read', 'static-creds/app-static'))?.data as { password: string; rotation_schedule: string; ttl: number };
    expect(first).toMatchObject({ username: 'static_app', rotation_schedule: '0 * * * *', rotation_window: 0 });
    expect(first.ttl).toBeLessThanOrEqual(3600);
    expect(await db.canLogin('static_app', first.password)).toBe(true);

    await h.call('write', 'rotate-role/app-static');
    const second = (await h.call('read', 'static-creds/app-static'))?.data as typeof first;
    expect(await db.canLogin('static_app', first.password)).toBe(false);
    expect(await db.canLogin('static_app', second.password)).toBe(true);
    await h.close();

    const record = JSON.parse(Buffer.from((await storage.get('static-role/app-static')) as Uint8Array).toString()) as Record<string, unknown>;
    await storage.put('static-role/app-static', Buffer.from(JSON.stringify({ ...record, nextRotation: Date.now() - 60_000 })));
    const restarted = await databaseHarness({ storage });
    harnesses.push(restarted);
    await restarted.engine.periodic?.();
    const third = (await restarted.call('read', 'static-creds/app-static'))?.data as typeof first;
    expect(third.password).not.toBe(second.password);
    expect(await db.canLogin('static_app', second.password)).toBe(false);
    expect(await db.canLogin('static_app', third.password)).toBe(true);
  });
});
