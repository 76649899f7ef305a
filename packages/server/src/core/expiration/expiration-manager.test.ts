import { InMemoryStorage, silentLogger } from '@coffer/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { ExpirationManager, type ExpirationDeps } from './expiration-manager.js';
import type { LeaseEntry } from './lease-entry.js';
import { LeaseSchedule } from './lease-schedule.js';

async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}

describe('ExpirationManager', () => {
  const managers: ExpirationManager[] = [];
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.stop()));
  });

  function start(storage: InMemoryStorage, overrides: Partial<ExpirationDeps> = {}) {
    const revoked: string[] = [];
    const renewed: [string, Date][] = [];
    const manager = ExpirationManager.start({
      storage,
      logger: silentLogger,
      now: () => new Date(),
      revokeToken: async (lease) => {
        revoked.push(lease.id);
        return undefined;
      },
      revokeSecret: async (lease) => {
        revoked.push(lease.id);
      },
      renewSecret: async (lease, at) => {
        renewed.push([lease.id, at]);
      },
      retry: { baseMs: 20, maxAttempts: 3 },
      ...overrides,
    });
    managers.push(manager);
    return { manager, revoked, renewed };
  }

  const secret = (ttlSeconds: number, extra: Partial<Parameters<ExpirationManager['registerSecret']>[0]> = {}) => ({
    path: 'db/creds/ro',
    mountAccessor: 'database_1234',
    ttlSeconds,
    maxTtlSeconds: 3600,
    renewable: true,
    internal: { username: 'v-ro-abc' },
    ...extra,
  });

  it('persists a lease and revokes it through the engine when it expires', async () => {
    const storage = new InMemoryStorage();
    const { manager, revoked } = start(storage);
    const lease = await manager.registerSecret(secret(1));
    expect(lease.id).toMatch(/^db\/creds\/ro\/[0-9A-Za-z]{24}$/);
    expect((await manager.lookup(lease.id))?.internal).toEqual({ username: 'v-ro-abc' });
    await eventually(() => revoked.includes(lease.id), 'revoked on expiry');
    await eventually(async () => (await manager.lookup(lease.id)) === undefined, 'entry removed');
  });

  it('renews from now, caps at the max TTL with a warning, and refuses what Vault refuses', async () => {
    const storage = new InMemoryStorage();
    const { manager, renewed } = start(storage);
    const lease = await manager.registerSecret(secret(60, { maxTtlSeconds: 120 }));
    const first = await manager.renewSecret(lease.id, 90);
    expect(first.warnings).toEqual([]);
    expect(renewed).toHaveLength(1);
    const capped = await manager.renewSecret(lease.id, 3600);
    expect(capped.entry.expireTime).toBe(lease.issueTime + 120_000);
    expect(capped.warnings[0]).toMatch(/capped/);
    const fixed = await manager.registerSecret(secret(60, { renewable: false }));
    await expect(manager.renewSecret(fixed.id, 10)).rejects.toThrow('lease is not renewable');
    await expect(manager.renewSecret('db/creds/ro/nope', 10)).rejects.toThrow('lease not found');
  });

  it('retries a failing revocation with backoff, then marks it irrevocable', async () => {
    const storage = new InMemoryStorage();
    let attempts = 0;
    const { manager } = start(storage, {
      revokeSecret: async () => {
        attempts++;
        throw new Error('database unreachable');
      },
    });
    const lease = await manager.registerSecret(secret(0));
    await eventually(async () => (await manager.lookup(lease.id))?.irrevocable === true, 'irrevocable');
    expect(attempts).toBe(3);
    expect((await manager.lookup(lease.id))?.revokeAttempts).toBe(3);
    expect(manager.scheduled).toBe(0);
    expect(manager.counts()).toEqual({ tokens: 0, secrets: 0, irrevocable: 1 });
    // Counted again after a restart, from the stored entry.
    const restarted = start(storage, { revokeSecret: async () => Promise.reject(new Error('still down')) });
    await restarted.manager.restored;
    expect(restarted.manager.counts().irrevocable).toBe(1);
    await restarted.manager.stop();
    // An operator can still force it away.
    await manager.revoke(lease.id, { force: true });
    expect(await manager.lookup(lease.id)).toBeUndefined();
    expect(manager.counts().irrevocable).toBe(0);
  });

  it('runs one revocation per lease when expiry, revoke-prefix and revoke arrive together', async () => {
    const storage = new InMemoryStorage();
    const calls: string[] = [];
    const dropped = new Set<string>();
    const { manager } = start(storage, {
      // Like DROP ROLE: a second drop of the same user fails.
      revokeSecret: async (entry) => {
        calls.push(entry.id);
        await new Promise((r) => setTimeout(r, 50));
        if (dropped.has(entry.id)) throw new Error('role does not exist');
        dropped.add(entry.id);
      },
    });
    const leases = await Promise.all(Array.from({ length: 5 }, () => manager.registerSecret(secret(1))));
    await new Promise((r) => setTimeout(r, 1000));
    // The leases come due now; revoke-prefix and explicit revokes race the expiry.
    const prefix = leases[0]!.id.slice(0, leases[0]!.id.lastIndexOf('/'));
    await Promise.all([manager.revokePrefix(prefix), ...leases.map((lease) => manager.revoke(lease.id))]);
    await eventually(async () => manager.scheduled === 0 && calls.length >= 5, 'all revoked');
    expect(calls.sort()).toEqual(leases.map((lease) => lease.id).sort());
    for (const lease of leases) expect(await manager.lookup(lease.id)).toBeUndefined();
    expect(manager.counts()).toEqual({ tokens: 0, secrets: 0, irrevocable: 0 });
  });

  it('reports an explicit revocation failure to the caller', async () => {
    const storage = new InMemoryStorage();
    const { manager } = start(storage, {
      revokeSecret: async () => {
        throw new Error('nope');
      },
    });
    const lease = await manager.registerSecret(secret(3600));
    await expect(manager.revoke(lease.id)).rejects.toMatchObject({ code: 'upstream' });
    expect((await manager.lookup(lease.id))?.revokeAttempts).toBe(1);
  });

  it('restores leases after a restart and revokes the ones that came due while down', async () => {
    const storage = new InMemoryStorage();
    const first = start(storage);
    const soon = await first.manager.registerSecret(secret(1));
    const later = await first.manager.registerSecret(secret(3600));
    await first.manager.stop();
    await new Promise((r) => setTimeout(r, 1100));
    const second = start(storage);
    await second.manager.restored;
    await eventually(() => second.revoked.includes(soon.id), 'due lease revoked after restore');
    expect(second.revoked).not.toContain(later.id);
    expect(second.manager.scheduled).toBe(1);
  });

  it('revokes the secrets a token asked for when the token is revoked', async () => {
    const storage = new InMemoryStorage();
    const { manager, revoked } = start(storage);
    const a = await manager.registerSecret(secret(3600, { clientTokenHash: 'a'.repeat(64) }));
    const b = await manager.registerSecret(secret(3600, { clientTokenHash: 'b'.repeat(64) }));
    await manager.onTokenRevoked({ hash: 'a'.repeat(64) });
    expect(revoked).toEqual([a.id]);
    expect(await manager.lookup(b.id)).toBeDefined();
    expect(await storage.list('sys/expire/token/')).toEqual([`${'b'.repeat(64)}/`]);
  });

  it('revokes by prefix and lists by prefix', async () => {
    const storage = new InMemoryStorage();
    const { manager, revoked } = start(storage);
    const a = await manager.registerSecret(secret(3600, { path: 'db/creds/ro' }));
    const b = await manager.registerSecret(secret(3600, { path: 'db/creds/rw' }));
    const c = await manager.registerSecret(secret(3600, { path: 'other/creds/x' }));
    expect(await manager.list('db/creds/')).toEqual(['ro/', 'rw/']);
    expect(await manager.revokePrefix('db/creds')).toBe(2);
    expect(revoked.sort()).toEqual([a.id, b.id].sort());
    expect(await manager.lookup(c.id)).toBeDefined();
    await expect(manager.revokePrefix('../sys')).rejects.toThrow('invalid prefix');
  });

  it('keeps a renewed token alive when its old expiry fires', async () => {
    const storage = new InMemoryStorage();
    let expiry = Date.now() + 200;
    const calls: boolean[] = [];
    const { manager } = start(storage, {
      revokeToken: async (_lease: LeaseEntry, onlyIfExpired: boolean) => {
        calls.push(onlyIfExpired);
        return onlyIfExpired && expiry > Date.now() ? expiry : undefined;
      },
    });
    const id = await manager.registerToken({ tokenHash: 'c'.repeat(64), path: 'auth/token/create', mountAccessor: 'auth_token_1', expireTime: Date.now(), renewable: true });
    expiry = Date.now() + 60_000;
    await eventually(() => calls.length > 0, 'expiry fired');
    expect(await manager.lookup(id)).toBeDefined();
    expect((await manager.lookup(id))?.expireTime).toBe(expiry);
  });
});

describe('LeaseSchedule', () => {
  it('pops in due order across many pushes and reschedules', () => {
    const schedule = new LeaseSchedule();
    const due = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const at = Math.floor(Math.random() * 10_000);
      schedule.set(`l${i % 500}`, at);
      due.set(`l${i % 500}`, at);
    }
    schedule.delete('l0');
    due.delete('l0');
    const popped = schedule.popDue(Infinity);
    expect(popped).toHaveLength(due.size);
    const times = popped.map((id) => due.get(id) as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(schedule.size).toBe(0);
  });
});
