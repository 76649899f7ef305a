import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type PostgresServer } from '@coffer/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { api, freePort, startCoffer, type CofferProcess } from '../src/coffer-process.js';

const LEASES = 1000;
/** Long enough to issue every lease and restart before the first one is due. */
const TTL_SECONDS = 45;
/** Revoking 1 000 users (batched, four database connections) takes seconds, not a TTL; the bound is loose because other test files load the same two cores in CI. */
const SLACK_MS = 60_000;

async function inBatches<T>(count: number, width: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += width) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, count - i) }, (_, j) => work(i + j)))));
  }
  return out;
}

describe('database leases across a restart', () => {
  let dir: string;
  let coffer: CofferProcess | undefined;
  let pg: PostgresServer | undefined;
  afterAll(async () => {
    await coffer?.stop();
    await pg?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`restores ${LEASES} live database leases after a restart and drops every user on time`, async () => {
    pg = await startPostgres();
    dir = await mkdtemp(join(tmpdir(), 'coffer-e2e-db-'));
    const port = await freePort();
    coffer = await startCoffer({ dir, port, logLevel: 'warn' });
    const init = (await api(coffer.address, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } })).json;
    const unseal = async () => api((coffer as CofferProcess).address, 'PUT', 'sys/unseal', { body: { key: init.keys[0] } });
    await unseal();
    const token = init.root_token as string;
    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await api((coffer as CofferProcess).address, method, path, { token, body });
      expect(res.status, JSON.stringify(res.json)).toBeLessThan(300);
      return res.json;
    };
    await ok('POST', 'sys/mounts/database', { type: 'database' });
    await ok('POST', 'database/config/pg', {
      plugin_name: 'postgresql-database-plugin',
      connection_url: pg.templateUrl(),
      username: 'postgres',
      password: pg.adminPassword,
      allowed_roles: 'app',
    });
    await ok('POST', 'database/roles/app', {
      db_name: 'pg',
      creation_statements: `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`,
      default_ttl: TTL_SECONDS,
      max_ttl: '1h',
    });

    const firstIssued = Date.now();
    const issued = await inBatches(LEASES, 25, () => ok('GET', 'database/creds/app'));
    const lastIssued = Date.now();
    const users: string[] = issued.map((c) => c.data.username);
    expect(new Set(users).size).toBe(LEASES);
    expect(issued.every((c) => c.lease_duration === TTL_SECONDS)).toBe(true);
    const live = async () =>
      (await pg!.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = ANY($1)', [users]))[0]?.n;

    expect(await coffer.stop()).toBe(0);
    coffer = await startCoffer({ dir, port, logLevel: 'warn' });
    await unseal();
    // The restart took less than a TTL: nothing was due yet, so every user is still there.
    expect(Date.now()).toBeLessThan(firstIssued + TTL_SECONDS * 1000);
    expect(await live()).toBe(LEASES);

    for (;;) {
      const left = await live();
      if (left === 0) break;
      // Polling for the event; it must happen within the TTL plus the time to revoke them all.
      expect(Date.now(), `${left} users still there`).toBeLessThan(lastIssued + TTL_SECONDS * 1000 + SLACK_MS);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(Date.now()).toBeGreaterThanOrEqual(firstIssued + TTL_SECONDS * 1000);
    const remaining = await api(coffer.address, 'GET', 'sys/leases/lookup/database/creds/app/?list=true', { token });
    expect(remaining.status).toBe(404);
  }, 180_000);
});
