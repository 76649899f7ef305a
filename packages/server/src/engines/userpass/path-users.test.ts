import { describe, expect, it } from 'vitest';
import { createEngineHarness } from '../engine-harness.js';
import { KdfLimiter } from './kdf-limiter.js';
import { PasswordHasher } from './password-hash.js';
import { userpassEngineFactory } from './userpass-engine.js';

/** The cheapest cost the hasher accepts, so these tests spend their time on behaviour, not on scrypt. */
const FAST = { ln: 10, r: 8, p: 1 };
const harness = () =>
  createEngineHarness(userpassEngineFactory({ hasher: new PasswordHasher(FAST, new KdfLimiter({ maxConcurrent: 2, maxQueued: 32 })) }), {
    mountPath: 'userpass/',
    mountType: 'userpass',
  });

describe('userpass users', () => {
  it('creates a user, reads it back as Vault shows it (no password), lists and deletes', async () => {
    const h = await harness();
    expect((await h.route('write', 'users/alice', { password: 'pw' })).request.operation).toBe('create');
    expect(await h.call('write', 'users/alice', { password: 'pw', token_policies: 'dev', token_ttl: '1h' })).toBeUndefined();
    expect((await h.call('read', 'users/alice'))?.data).toEqual({
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 0,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ['dev'],
      token_ttl: 3600,
      token_type: 'default',
    });
    await h.call('write', 'users/bob', { password: 'pw' });
    expect(await h.call('list', 'users/')).toEqual({ data: { keys: ['alice', 'bob'] } });
    expect(await h.call('delete', 'users/alice')).toBeUndefined();
    expect(await h.call('read', 'users/alice')).toBeUndefined();
    expect(await h.call('list', 'users')).toEqual({ data: { keys: ['bob'] } });
    await h.call('delete', 'users/bob');
    expect(await h.call('list', 'users')).toBeUndefined();
  });

  it('lower-cases names everywhere', async () => {
    const h = await harness();
    await h.call('write', 'users/Alice', { password: 'pw' });
    expect(await h.call('list', 'users')).toEqual({ data: { keys: ['alice'] } });
    expect(await h.call('read', 'users/ALICE')).toHaveProperty('data');
    await h.call('write', 'users/ALICE/policies', { token_policies: 'x' });
    expect((await h.call('read', 'users/alice'))?.data?.token_policies).toEqual(['x']);
  });

  it('requires a password at creation only, and keeps it on update', async () => {
    const h = await harness();
    await expect(h.call('write', 'users/carol', { token_policies: 'x' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'missing password',
    });
    await h.call('write', 'users/carol', { password: 'pw' });
    await h.call('write', 'users/carol', { token_policies: 'x' });
    expect((await h.call('write', 'login/carol', { password: 'pw' }))?.auth?.policies).toEqual(['x']);
  });

  it('accepts the deprecated policies, ttl, max_ttl and bound_cidrs and shows them back', async () => {
    const h = await harness();
    await h.call('write', 'users/old', { password: 'pw', policies: 'B,a', ttl: 60, max_ttl: 120, bound_cidrs: '10.0.0.0/8' });
    expect((await h.call('read', 'users/old'))?.data).toMatchObject({
      policies: ['a', 'b'],
      token_policies: ['a', 'b'],
      ttl: 60,
      token_ttl: 60,
      max_ttl: 120,
      token_max_ttl: 120,
      bound_cidrs: ['10.0.0.0/8'],
      token_bound_cidrs: ['10.0.0.0/8'],
    });
  });

  it.each([
    [{ token_ttl: -5 }, "'token_ttl' cannot be negative"],
    [{ token_ttl: 100, token_max_ttl: 50 }, "'token_ttl' cannot be greater than 'token_max_ttl'"],
    [{ token_bound_cidrs: 'not-a-cidr' }, 'error parsing address "not-a-cidr": not an IP address or CIDR block'],
    [{ bound_cidrs: '300.0.0.0/8' }, 'error parsing address "300.0.0.0/8": not an IP address or CIDR block'],
    [{ token_num_uses: -1 }, "'token_num_uses' cannot be negative"],
  ])('refuses %j with Vault\'s message, before any hashing', async (data, message) => {
    const h = await harness();
    await expect(h.call('write', 'users/bad', { password: 'pw', ...data })).rejects.toMatchObject({ code: 'invalid_request', message });
    expect(h.storage.dump().size).toBe(0);
  });

  it('stores a salted scrypt hash with its parameters, never the password', async () => {
    const h = await harness();
    await h.call('write', 'users/alice', { password: 'correct horse battery staple' });
    await h.call('write', 'users/bob', { password: 'correct horse battery staple' });
    const records = [...h.storage.dump().values()].map((v) => JSON.parse(new TextDecoder().decode(v)) as { passwordHash: string });
    for (const record of records) {
      expect(record.passwordHash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
      expect(JSON.stringify(record)).not.toContain('correct horse');
    }
    // Per-user salts: the same password hashes differently.
    expect(records[0]?.passwordHash).not.toBe(records[1]?.passwordHash);
  });

  it('changes the password: the new one works, the old one no longer does', async () => {
    const h = await harness();
    await h.call('write', 'users/alice', { password: 'old-pw' });
    expect(await h.call('write', 'users/alice/password', { password: 'new-pw' })).toBeUndefined();
    await expect(h.call('write', 'login/alice', { password: 'old-pw' })).rejects.toMatchObject({ message: 'invalid username or password' });
    expect(await h.call('write', 'login/alice', { password: 'new-pw' })).toHaveProperty('auth');
    await h.call('write', 'users/alice', { password: 'third-pw' });
    await expect(h.call('write', 'login/alice', { password: 'new-pw' })).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await h.call('write', 'login/alice', { password: 'third-pw' })).toHaveProperty('auth');
  });

  it('refuses a password change for an unknown user or without a password', async () => {
    const h = await harness();
    await expect(h.call('write', 'users/ghost/password', { password: 'x' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'username does not exist',
    });
    await h.call('write', 'users/alice', { password: 'pw' });
    await expect(h.call('write', 'users/alice/password', {})).rejects.toMatchObject({ message: 'missing password' });
  });

  it("replaces a user's policies, with the deprecated name too", async () => {
    const h = await harness();
    await h.call('write', 'users/alice', { password: 'pw', token_policies: 'a', token_ttl: 60 });
    await h.call('write', 'users/alice/policies', { token_policies: 'b, c' });
    expect((await h.call('read', 'users/alice'))?.data).toMatchObject({ token_policies: ['b', 'c'], token_ttl: 60 });
    await h.call('write', 'users/alice/policies', { policies: 'd' });
    expect((await h.call('read', 'users/alice'))?.data).toMatchObject({ token_policies: ['d'], policies: ['d'] });
    await expect(h.call('write', 'users/ghost/policies', { token_policies: 'x' })).rejects.toMatchObject({
      message: 'username does not exist',
    });
  });

  it('does not lose a concurrent policies update while a password change hashes', async () => {
    const h = await harness();
    await h.call('write', 'users/alice', { password: 'pw' });
    await Promise.all([
      h.call('write', 'users/alice/password', { password: 'pw2' }),
      h.call('write', 'users/alice/policies', { token_policies: 'p' }),
    ]);
    expect((await h.call('read', 'users/alice'))?.data?.token_policies).toEqual(['p']);
    expect((await h.call('write', 'login/alice', { password: 'pw2' }))?.auth?.policies).toEqual(['p']);
  });
});
