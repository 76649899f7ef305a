import { afterAll, describe, expect, it } from 'vitest';
import { startMariadb, startPostgres, type MariadbServer, type PostgresServer } from './index.js';

describe('startPostgres', () => {
  let pg: PostgresServer | undefined;
  afterAll(async () => {
    await pg?.close();
  });

  it('runs PostgreSQL 15 on loopback with a password-protected superuser, and survives stop, kill and restart', async () => {
    pg = await startPostgres();
    expect(pg.adminUrl()).toMatch(/^postgresql:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+\/postgres\?sslmode=disable$/);
    const [version] = await pg.query<{ server_version: string }>('SHOW server_version');
    expect(version?.server_version).toMatch(/^15\./);
    expect(await pg.canLogin('postgres', 'wrong')).toBe(false);
    await pg.query('CREATE TABLE kept (id int)');

    await pg.setAdminPassword('n3w-admin');
    expect(await pg.canLogin('postgres', 'n3w-admin')).toBe(true);
    expect(pg.adminUrl()).toContain(':n3w-admin@');

    await pg.stop();
    expect(pg.running).toBe(false);
    expect(await pg.canLogin('postgres', 'n3w-admin')).toBe(false);
    await pg.start();
    await pg.kill();
    await pg.start();
    expect(await pg.query('SELECT count(*)::int AS n FROM kept')).toEqual([{ n: 0 }]);
  });
});

describe('startMariadb', () => {
  let db: MariadbServer | undefined;
  afterAll(async () => {
    await db?.close();
  });

  it('runs MariaDB 10.11 on loopback with a root password, and survives stop, kill and restart', async () => {
    db = await startMariadb();
    const [version] = await db.query<{ v: string }>('SELECT VERSION() AS v');
    expect(version?.v).toMatch(/^10\.11\./);
    expect(await db.canLogin('root', '')).toBe(false);
    expect(db.templateUrl()).toBe(`{{username}}:{{password}}@tcp(127.0.0.1:${db.port})/`);
    await db.query('CREATE DATABASE kept');

    await db.setAdminPassword("it's-new");
    expect(await db.canLogin('root', "it's-new")).toBe(true);

    await db.stop();
    expect(await db.canLogin('root', "it's-new")).toBe(false);
    await db.start();
    await db.kill();
    await db.start();
    expect(await db.query("SHOW DATABASES LIKE 'kept'")).toHaveLength(1);
  });
});
