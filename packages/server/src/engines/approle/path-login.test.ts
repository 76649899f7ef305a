import { describe, expect, it } from 'vitest';
import { createEngineHarness, type EngineHarness } from '../engine-harness.js';
import { createAppRoleEngine } from './approle-engine.js';

async function harness(role: Record<string, unknown> = {}): Promise<EngineHarness & { roleId: string }> {
  const h = await createEngineHarness(createAppRoleEngine, { mountPath: 'approle/', mountType: 'approle', maxLeaseTtl: 86_400 });
  await h.call('write', 'role/app', role);
  const roleId = (await h.call('read', 'role/app/role-id'))?.data?.role_id as string;
  return Object.assign(h, { roleId });
}

async function issue(h: EngineHarness, data: Record<string, unknown> = {}): Promise<string> {
  return (await h.call('write', 'role/app/secret-id', data))?.data?.secret_id as string;
}

const login = (h: EngineHarness, data: Record<string, unknown>, remoteAddress = '10.0.0.1') =>
  h.call('write', 'login', data, { remoteAddress });

const refused = { code: 'invalid_request', message: 'invalid role or secret ID' };

describe('approle login', () => {
  it('is the one unauthenticated path', async () => {
    const h = await harness();
    expect(h.compiled.isUnauthenticated('login')).toBe(true);
    expect(h.compiled.isUnauthenticated('role/app')).toBe(false);
  });

  it("grants a token with the role's token fields, the secret ID's metadata and the role name", async () => {
    const h = await harness({
      token_policies: 'dev,ops',
      token_ttl: '20m',
      token_max_ttl: '30m',
      token_explicit_max_ttl: '2h',
      token_num_uses: 7,
      token_no_default_policy: true,
      token_bound_cidrs: '10.0.0.0/8',
    });
    const secretId = await issue(h, { metadata: '{"env":"prod"}' });
    const response = await login(h, { role_id: h.roleId, secret_id: secretId });
    expect(response).toEqual({
      auth: {
        policies: ['dev', 'ops'],
        displayName: 'approle',
        metadata: { env: 'prod', role_name: 'app' },
        ttl: 1200,
        maxTtl: 1800,
        explicitMaxTtl: 7200,
        numUses: 7,
        noDefaultPolicy: true,
        boundCidrs: ['10.0.0.0/8'],
        internal: { role_name: 'app' },
        renewable: true,
        orphan: true,
      },
    });
  });

  it('grants a periodic token for a role with a period', async () => {
    const h = await harness({ token_period: '1h' });
    const response = await login(h, { role_id: h.roleId, secret_id: await issue(h) });
    expect(response?.auth).toMatchObject({ period: 3600, policies: [], metadata: { role_name: 'app' } });
  });

  it("lets a secret ID's token_bound_cidrs replace the role's", async () => {
    const h = await harness({ token_bound_cidrs: '10.0.0.0/8' });
    const secretId = await issue(h, { token_bound_cidrs: '10.1.0.0/16' });
    expect((await login(h, { role_id: h.roleId, secret_id: secretId }))?.auth?.boundCidrs).toEqual(['10.1.0.0/16']);
  });

  it('counts uses down and refuses the secret ID once they are spent', async () => {
    const h = await harness();
    const secretId = await issue(h, { num_uses: 3 });
    await login(h, { role_id: h.roleId, secret_id: secretId });
    const lookup = await h.call('write', 'role/app/secret-id/lookup', { secret_id: secretId });
    expect(lookup?.data).toMatchObject({ secret_id_num_uses: 2 });
    await login(h, { role_id: h.roleId, secret_id: secretId });
    await login(h, { role_id: h.roleId, secret_id: secretId });
    await expect(login(h, { role_id: h.roleId, secret_id: secretId })).rejects.toMatchObject(refused);
    expect(await h.call('list', 'role/app/secret-id/')).toBeUndefined();
  });

  it('lets exactly one of two concurrent logins spend a single-use secret ID', async () => {
    const h = await harness();
    for (let round = 0; round < 20; round++) {
      const secretId = await issue(h, { num_uses: 1 });
      const results = await Promise.allSettled([
        login(h, { role_id: h.roleId, secret_id: secretId }),
        login(h, { role_id: h.roleId, secret_id: secretId }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failure.reason).toMatchObject(refused);
    }
  });

  it('refuses an expired secret ID at its expiry, and a destroyed one', async () => {
    const h = await harness();
    const expiring = await issue(h, { ttl: 60 });
    const destroyed = await issue(h);
    h.clock.advance(59.8);
    await login(h, { role_id: h.roleId, secret_id: expiring });
    h.clock.advance(0.2);
    await expect(login(h, { role_id: h.roleId, secret_id: expiring })).rejects.toMatchObject(refused);
    await h.call('write', 'role/app/secret-id/destroy', { secret_id: destroyed });
    await expect(login(h, { role_id: h.roleId, secret_id: destroyed })).rejects.toMatchObject(refused);
  });

  it('refuses unknown RoleIDs and secret IDs alike, and a secret ID of another role', async () => {
    const h = await harness();
    await h.call('write', 'role/other', {});
    const otherSecret = (await h.call('write', 'role/other/secret-id', {}))?.data?.secret_id as string;
    const secretId = await issue(h);
    await expect(login(h, { role_id: 'nope', secret_id: secretId })).rejects.toMatchObject(refused);
    await expect(login(h, { role_id: h.roleId, secret_id: 'nope' })).rejects.toMatchObject(refused);
    await expect(login(h, { role_id: h.roleId, secret_id: otherSecret })).rejects.toMatchObject(refused);
  });

  it('refuses missing fields with their names', async () => {
    const h = await harness();
    await expect(login(h, {})).rejects.toMatchObject({ code: 'invalid_request', message: 'missing role_id' });
    await expect(login(h, { role_id: h.roleId })).rejects.toMatchObject({ code: 'invalid_request', message: 'missing secret_id' });
  });

  it('follows a RoleID change and refuses the old RoleID', async () => {
    const h = await harness();
    const secretId = await issue(h);
    await h.call('write', 'role/app/role-id', { role_id: 'new-id' });
    await expect(login(h, { role_id: h.roleId, secret_id: secretId })).rejects.toMatchObject(refused);
    expect((await login(h, { role_id: 'new-id', secret_id: secretId }))?.auth?.metadata).toEqual({ role_name: 'app' });
  });

  it("checks the secret ID's cidr_list against the caller, IPv4 and IPv6", async () => {
    const h = await harness();
    const v4 = await issue(h, { cidr_list: '10.0.0.0/24' });
    const v6 = await issue(h, { cidr_list: '2001:db8::/32' });
    await expect(login(h, { role_id: h.roleId, secret_id: v4 }, '10.0.1.5')).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'source address "10.0.1.5" unauthorized by CIDR restrictions on the secret ID',
    });
    expect(await login(h, { role_id: h.roleId, secret_id: v4 }, '10.0.0.200')).toHaveProperty('auth');
    // A dual-stack listener reports IPv4 clients as IPv4-mapped IPv6 addresses.
    expect(await login(h, { role_id: h.roleId, secret_id: v4 }, '::ffff:10.0.0.9')).toHaveProperty('auth');
    await expect(login(h, { role_id: h.roleId, secret_id: v6 }, '2001:db9::1')).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await login(h, { role_id: h.roleId, secret_id: v6 }, '2001:db8:abcd::1')).toHaveProperty('auth');
    await expect(h.call('write', 'login', { role_id: h.roleId, secret_id: v4 })).rejects.toMatchObject({
      message: 'failed to get connection information',
    });
  });

  it("checks the role's secret_id_bound_cidrs without spending a use when the caller is outside", async () => {
    const h = await harness({ secret_id_bound_cidrs: '10.0.0.0/8' });
    const secretId = await issue(h, { num_uses: 1 });
    await expect(login(h, { role_id: h.roleId, secret_id: secretId }, '192.168.1.1')).rejects.toMatchObject({
      message: 'source address "192.168.1.1" unauthorized by CIDR restrictions on the role',
    });
    expect(await login(h, { role_id: h.roleId, secret_id: secretId }, '10.2.3.4')).toHaveProperty('auth');
  });

  it('logs in with a RoleID alone when the role binds only CIDRs', async () => {
    const h = await harness({ bind_secret_id: false, secret_id_bound_cidrs: '127.0.0.0/8, ::1/128' });
    expect((await login(h, { role_id: h.roleId }, '127.0.0.1'))?.auth?.metadata).toEqual({ role_name: 'app' });
    expect(await login(h, { role_id: h.roleId }, '::1')).toHaveProperty('auth');
    await expect(login(h, { role_id: h.roleId }, '10.0.0.1')).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it("refuses a secret ID whose CIDRs are no longer within the role's", async () => {
    const h = await harness({ secret_id_bound_cidrs: '10.0.0.0/8' });
    const secretId = await issue(h, { cidr_list: '10.200.0.0/16' });
    await h.call('write', 'role/app', { secret_id_bound_cidrs: '10.0.0.0/9' });
    await expect(login(h, { role_id: h.roleId, secret_id: secretId }, '10.1.0.1')).rejects.toMatchObject({
      message: expect.stringContaining('failed to verify subset relationship'),
    });
  });
});

describe('approle renewal', () => {
  it("applies the role's current TTLs", async () => {
    const h = await harness({ token_ttl: 60, token_max_ttl: 120 });
    const auth = (await login(h, { role_id: h.roleId, secret_id: await issue(h) }))?.auth;
    await h.call('write', 'role/app', { token_ttl: 300, token_max_ttl: 600, token_period: 90 });
    const renewal = { policies: auth?.policies ?? [], metadata: auth?.metadata ?? {}, internal: auth?.internal ?? {}, issueTime: h.clock.now() };
    expect(await h.engine.renewAuth?.(renewal)).toEqual({ ttl: 300, maxTtl: 600, period: 90 });
  });

  it('refuses once the role is gone', async () => {
    const h = await harness();
    const auth = (await login(h, { role_id: h.roleId, secret_id: await issue(h) }))?.auth;
    await h.call('delete', 'role/app');
    const renewal = { policies: [], metadata: auth?.metadata ?? {}, internal: auth?.internal ?? {}, issueTime: h.clock.now() };
    await expect(h.engine.renewAuth?.(renewal)).rejects.toMatchObject({ message: 'role "app" does not exist during renewal' });
    await expect(h.engine.renewAuth?.({ ...renewal, internal: {} })).rejects.toMatchObject({
      message: 'failed to fetch role_name during renewal',
    });
  });
});

describe('approle tidy', () => {
  const keys = (h: EngineHarness) => [...h.storage.dump().keys()];
  const added = async (h: EngineHarness, action: () => Promise<unknown>) => {
    const before = new Set(keys(h));
    await action();
    return keys(h).filter((k) => !before.has(k));
  };

  it('removes expired secret IDs and keeps live ones', async () => {
    const h = await harness();
    const expiring = await issue(h, { ttl: 60 });
    const lasting = await issue(h, { ttl: 3600 });
    h.clock.advance(61);
    const response = await h.call('write', 'tidy/secret-id', {});
    expect(response?.warnings).toEqual(['Tidy operation finished: removed 1 secret ID entries and 0 dangling accessors.']);
    expect(await h.call('write', 'role/app/secret-id/lookup', { secret_id: expiring })).toBeUndefined();
    expect(await h.call('write', 'role/app/secret-id/lookup', { secret_id: lasting })).toHaveProperty('data');
    expect(keys(h).filter((k) => k.startsWith('accessor/'))).toHaveLength(1);
  });

  it('removes what a half-finished delete left: a secret ID without accessor, an accessor without secret ID', async () => {
    const h = await harness();
    let a = '';
    const aKeys = await added(h, async () => (a = await issue(h)));
    const bKeys = await added(h, () => issue(h));
    await h.storage.delete(aKeys.find((k) => k.startsWith('accessor/')) as string);
    await h.storage.delete(bKeys.find((k) => k.startsWith('secret_id/')) as string);
    const response = await h.call('write', 'tidy/secret-id', {});
    expect(response?.warnings).toEqual(['Tidy operation finished: removed 1 secret ID entries and 1 dangling accessors.']);
    expect(keys(h).filter((k) => aKeys.includes(k) || bKeys.includes(k))).toEqual([]);
    // Login treats an accessor-less secret ID as gone too (and removes it), as Vault does.
    const cKeys = await added(h, async () => (a = await issue(h)));
    await h.storage.delete(cKeys.find((k) => k.startsWith('accessor/')) as string);
    await expect(login(h, { role_id: h.roleId, secret_id: a })).rejects.toMatchObject(refused);
    expect(keys(h).filter((k) => cKeys.includes(k))).toEqual([]);
  });

  it('runs as the periodic function', async () => {
    const h = await harness();
    await issue(h, { ttl: 10 });
    h.clock.advance(11);
    await h.engine.periodic?.();
    expect(await h.call('list', 'role/app/secret-id/')).toBeUndefined();
  });
});
