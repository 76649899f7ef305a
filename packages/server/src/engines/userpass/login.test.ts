import { describe, expect, it } from 'vitest';
import { createEngineHarness } from '../engine-harness.js';
import { KdfLimiter, type KdfLimits } from './kdf-limiter.js';
import { PasswordHasher } from './password-hash.js';
import { userpassEngineFactory } from './userpass-engine.js';

const FAST = { ln: 10, r: 8, p: 1 };
const harness = (limits: KdfLimits = { maxConcurrent: 2, maxQueued: 32 }, kdf = FAST) => {
  const hasher = new PasswordHasher(kdf, new KdfLimiter(limits));
  return createEngineHarness(userpassEngineFactory({ hasher }), { mountPath: 'userpass/', mountType: 'userpass' }).then((h) =>
    Object.assign(h, { limiter: hasher.limiter }),
  );
};
const refused = { code: 'invalid_request', message: 'invalid username or password' };

describe('userpass login', () => {
  it('is unauthenticated under login/', async () => {
    const h = await harness();
    expect(h.compiled.isUnauthenticated('login/alice')).toBe(true);
    expect(h.compiled.isUnauthenticated('users/alice')).toBe(false);
  });

  it("grants a token with the user's token fields, its name in metadata and Vault's display name", async () => {
    const h = await harness();
    await h.call('write', 'users/alice', {
      password: 's3cret',
      token_policies: 'dev, ops',
      token_ttl: '1h',
      token_max_ttl: '2h',
      token_explicit_max_ttl: '3h',
      token_num_uses: 4,
      token_period: '30m',
      token_no_default_policy: true,
      token_bound_cidrs: '10.0.0.0/8, 2001:db8::/32',
    });
    expect(await h.call('write', 'login/Alice', { password: 's3cret' }, { remoteAddress: '10.1.1.1' })).toEqual({
      auth: {
        policies: ['dev', 'ops'],
        displayName: 'userpass-alice',
        metadata: { username: 'alice' },
        ttl: 3600,
        maxTtl: 7200,
        explicitMaxTtl: 10_800,
        period: 1800,
        numUses: 4,
        noDefaultPolicy: true,
        boundCidrs: ['10.0.0.0/8', '2001:db8::/32'],
        internal: { username: 'alice' },
        renewable: true,
        orphan: true,
      },
    });
  });

  it('refuses a wrong password and an unknown user with the same 400 and message', async () => {
    const h = await harness();
    await h.call('write', 'users/alice', { password: 'right' });
    await expect(h.call('write', 'login/alice', { password: 'wrong' })).rejects.toMatchObject(refused);
    await expect(h.call('write', 'login/nobody', { password: 'right' })).rejects.toMatchObject(refused);
    await expect(h.call('write', 'login/alice', {})).rejects.toMatchObject({ code: 'invalid_request', message: 'missing password' });
  });

  it('spends one KDF run on an unknown user, as on a known one', async () => {
    const h = await harness({ maxConcurrent: 1, maxQueued: 0 });
    await h.call('write', 'users/alice', { password: 'right' });
    // With no queue, a second password check while one runs is refused: that proves each login ran the KDF.
    const results = await Promise.allSettled([
      h.call('write', 'login/nobody', { password: 'x' }),
      h.call('write', 'login/alice', { password: 'right' }),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: refused });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'too_many_requests' } });
  });

  it('checks token_bound_cidrs against the caller (IPv4, IPv6, IPv4-mapped), with 403 outside', async () => {
    const h = await harness();
    await h.call('write', 'users/alice', { password: 'pw', token_bound_cidrs: '10.0.0.0/8, 2001:db8::/32' });
    const as = (remoteAddress?: string) =>
      h.call('write', 'login/alice', { password: 'pw' }, remoteAddress === undefined ? {} : { remoteAddress });
    expect(await as('10.9.9.9')).toHaveProperty('auth');
    expect(await as('::ffff:10.9.9.9')).toHaveProperty('auth');
    expect(await as('2001:db8::5')).toHaveProperty('auth');
    const denied = { code: 'permission_denied', message: 'permission denied' };
    await expect(as('192.168.0.1')).rejects.toMatchObject(denied);
    await expect(as('2001:db9::5')).rejects.toMatchObject(denied);
    await expect(as(undefined)).rejects.toMatchObject(denied);
  });
});

describe('userpass login flood', () => {
  it('answers other requests while a flood of logins waits for the KDF', async () => {
    const h = await harness({ maxConcurrent: 1, maxQueued: 64 }, { ln: 12, r: 8, p: 1 });
    await h.call('write', 'users/alice', { password: 'pw', token_policies: 'p' });
    let settled = 0;
    const flood = Array.from({ length: 40 }, (_, i) =>
      h.call('write', 'login/alice', { password: i % 2 === 0 ? 'pw' : 'wrong' }).finally(() => settled++),
    );
    // Reads need no KDF and do not queue behind the logins.
    expect((await h.call('read', 'users/alice'))?.data?.token_policies).toEqual(['p']);
    expect(await h.call('list', 'users/')).toEqual({ data: { keys: ['alice'] } });
    expect(settled).toBeLessThan(40);
    expect(h.limiter.active).toBe(1);
    expect(h.limiter.queued).toBeGreaterThan(0);
    const results = await Promise.allSettled(flood);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.message === refused.message)).toBe(true);
    expect(h.limiter.active + h.limiter.queued).toBe(0);
  });

  it('refuses logins beyond the queue with 429 too_many_requests', async () => {
    const h = await harness({ maxConcurrent: 2, maxQueued: 3 });
    await h.call('write', 'users/alice', { password: 'pw' });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => h.call('write', 'login/alice', { password: 'pw' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'too_many_requests' });
    }
    // Once the flood drains, logins work again.
    expect(await h.call('write', 'login/alice', { password: 'pw' })).toHaveProperty('auth');
  });

  it('drops a queued login whose request was cancelled', async () => {
    const h = await harness({ maxConcurrent: 1, maxQueued: 8 });
    await h.call('write', 'users/alice', { password: 'pw' });
    const first = h.call('write', 'login/alice', { password: 'pw' });
    const controller = new AbortController();
    const second = h.call('write', 'login/alice', { password: 'pw' }, { signal: controller.signal });
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'unavailable' });
    expect(await first).toHaveProperty('auth');
    expect(h.limiter.queued).toBe(0);
  });
});

describe('userpass renewal', () => {
  const renewal = (policies: string[], username = 'alice') => ({
    policies,
    metadata: { username },
    internal: { username },
    issueTime: new Date(0),
  });

  it("applies the user's current TTLs while the policies stay the same", async () => {
    const h = await harness();
    await h.call('write', 'users/alice', { password: 'pw', token_policies: 'b,a', token_ttl: 60 });
    await h.call('write', 'users/alice', { token_ttl: 120, token_max_ttl: 600, token_period: 30 });
    // The token carries `default` too; Vault compares policy sets without it.
    expect(await h.engine.renewAuth?.(renewal(['a', 'b', 'default']))).toEqual({ ttl: 120, maxTtl: 600, period: 30 });
  });

  it("refuses when the user's policies changed or the user is gone", async () => {
    const h = await harness();
    await h.call('write', 'users/alice', { password: 'pw', token_policies: 'a' });
    await h.call('write', 'users/alice/policies', { token_policies: 'a,admin' });
    await expect(h.engine.renewAuth?.(renewal(['a', 'default']))).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'policies have changed, not renewing',
    });
    await h.call('delete', 'users/alice');
    await expect(h.engine.renewAuth?.(renewal(['a', 'admin']))).rejects.toMatchObject({ message: 'user no longer exists, not renewing' });
  });
});
