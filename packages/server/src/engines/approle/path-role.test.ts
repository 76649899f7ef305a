import { describe, expect, it } from 'vitest';
import { createEngineHarness } from '../engine-harness.js';
import { createAppRoleEngine } from './approle-engine.js';

const harness = () => createEngineHarness(createAppRoleEngine, { mountPath: 'approle/', mountType: 'approle', maxLeaseTtl: 86_400 });

describe('approle roles', () => {
  it('creates a role with Vault defaults and reads it back as Vault shows it', async () => {
    const h = await harness();
    expect((await h.route('write', 'role/app', {})).request.operation).toBe('create');
    expect(await h.call('write', 'role/app', {})).toBeUndefined();
    expect((await h.route('write', 'role/app', {})).request.operation).toBe('update');
    expect((await h.call('read', 'role/app'))?.data).toEqual({
      bind_secret_id: true,
      local_secret_ids: false,
      secret_id_bound_cidrs: [],
      secret_id_num_uses: 0,
      secret_id_ttl: 0,
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 0,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: [],
      token_ttl: 0,
      token_type: 'default',
    });
  });

  it('stores every field, keeps unspecified ones on update, and lower-cases names', async () => {
    const h = await harness();
    await h.call('write', 'role/MyApp', {
      secret_id_bound_cidrs: '10.0.0.0/8, 2001:db8::/32',
      secret_id_num_uses: 5,
      secret_id_ttl: '10m',
      local_secret_ids: true,
      token_policies: 'a, b',
      token_ttl: '20m',
      token_max_ttl: '30m',
      token_explicit_max_ttl: 7200,
      token_period: '1h',
      token_num_uses: 3,
      token_no_default_policy: true,
      token_bound_cidrs: ['192.168.0.0/16', '127.0.0.1'],
      token_type: 'service',
    });
    await h.call('write', 'role/myapp', { token_ttl: 60 });
    expect((await h.call('read', 'role/MYAPP'))?.data).toMatchObject({
      secret_id_bound_cidrs: ['10.0.0.0/8', '2001:db8::/32'],
      secret_id_num_uses: 5,
      secret_id_ttl: 600,
      local_secret_ids: true,
      token_policies: ['a', 'b'],
      token_ttl: 60,
      token_max_ttl: 1800,
      token_explicit_max_ttl: 7200,
      token_period: 3600,
      token_num_uses: 3,
      token_no_default_policy: true,
      token_bound_cidrs: ['192.168.0.0/16', '127.0.0.1'],
      token_type: 'service',
    });
    expect(await h.call('list', 'role/')).toEqual({ data: { keys: ['myapp'] } });
  });

  it('lists roles, answers an empty list with nothing, and deletes', async () => {
    const h = await harness();
    expect(await h.call('list', 'role/')).toBeUndefined();
    await h.call('write', 'role/b', {});
    await h.call('write', 'role/a', {});
    expect(await h.call('list', 'role')).toEqual({ data: { keys: ['a', 'b'] } });
    expect(await h.call('delete', 'role/a')).toBeUndefined();
    expect(await h.call('read', 'role/a')).toBeUndefined();
    expect(await h.call('delete', 'role/a')).toBeUndefined();
    expect(await h.call('list', 'role')).toEqual({ data: { keys: ['b'] } });
  });

  it('accepts the deprecated policies and period and reports them back under their names', async () => {
    const h = await harness();
    await h.call('write', 'role/old', { policies: 'Dev, ops,dev', period: 300 });
    expect((await h.call('read', 'role/old'))?.data).toMatchObject({
      policies: ['dev', 'ops'],
      token_policies: ['dev', 'ops'],
      period: 300,
      token_period: 300,
    });
    await h.call('write', 'role/old', { token_policies: 'x', token_period: 60 });
    const data = (await h.call('read', 'role/old'))?.data ?? {};
    expect(data).toMatchObject({ token_policies: ['x'], token_period: 60 });
    expect(data).not.toHaveProperty('policies');
    expect(data).not.toHaveProperty('period');
  });

  it('warns for default-service and a token_max_ttl above the mount maximum', async () => {
    const h = await harness();
    const response = await h.call('write', 'role/w', { token_type: 'default-service', token_max_ttl: '48h' });
    expect(response?.warnings).toEqual([
      'default-service has no useful meaning; adjusting to service',
      "token_max_ttl is greater than the backend mount's maximum TTL value; issued tokens' max TTL value will be truncated",
    ]);
    expect((await h.call('read', 'role/w'))?.data?.token_type).toBe('service');
  });

  it.each([
    [{ token_ttl: -1 }, "'token_ttl' cannot be negative"],
    [{ token_max_ttl: '-5m' }, "'token_max_ttl' cannot be negative"],
    [{ token_period: -10 }, "'token_period' cannot be negative"],
    [{ token_explicit_max_ttl: -10 }, "'token_explicit_max_ttl' cannot be negative"],
    [{ token_num_uses: -1 }, "'token_num_uses' cannot be negative"],
    [{ token_ttl: '2h', token_max_ttl: '1h' }, "'token_ttl' cannot be greater than 'token_max_ttl'"],
    [{ token_bound_cidrs: '10.0.0.0/33' }, 'error parsing address "10.0.0.0/33": not an IP address or CIDR block'],
    [{ token_type: 'nonsense' }, `invalid 'token_type' value "nonsense"`],
    [{ token_type: 'batch' }, 'token_type "batch" is not supported yet; use "default" or "service"'],
    [{ secret_id_bound_cidrs: '10.0.0.1' }, 'failed to validate CIDR blocks: invalid CIDR address: 10.0.0.1'],
    [{ secret_id_bound_cidrs: 'fe80::1%eth0/64' }, 'failed to validate CIDR blocks: invalid CIDR address: fe80::1%eth0/64'],
    [{ secret_id_num_uses: -2 }, 'secret_id_num_uses cannot be negative'],
    [{ bind_secret_id: false }, 'at least one constraint should be enabled on the role'],
    [{ token_period: '25h' }, 'period of "25h0m0s" is greater than the backend\'s maximum lease TTL of "24h0m0s"'],
  ])('refuses %j with Vault\'s message', async (data, message) => {
    const h = await harness();
    await expect(h.call('write', 'role/bad', data)).rejects.toMatchObject({ code: 'invalid_request', message });
    expect(await h.call('read', 'role/bad')).toBeUndefined();
  });

  it('checks token_ttl against an existing token_max_ttl on update', async () => {
    const h = await harness();
    await h.call('write', 'role/r', { token_max_ttl: 100 });
    await expect(h.call('write', 'role/r', { token_ttl: 200 })).rejects.toMatchObject({
      message: "'token_ttl' cannot be greater than 'token_max_ttl'",
    });
  });

  it('allows a role without secret ID when a CIDR binds it', async () => {
    const h = await harness();
    await h.call('write', 'role/cidr', { bind_secret_id: false, secret_id_bound_cidrs: '10.0.0.0/8' });
    expect((await h.call('read', 'role/cidr'))?.data?.bind_secret_id).toBe(false);
    await expect(h.call('write', 'role/cidr', { secret_id_bound_cidrs: [] })).rejects.toMatchObject({
      message: 'at least one constraint should be enabled on the role',
    });
  });

  it('sets local_secret_ids only at creation', async () => {
    const h = await harness();
    await h.call('write', 'role/l', {});
    await expect(h.call('write', 'role/l', { local_secret_ids: true })).rejects.toMatchObject({
      message: 'local_secret_ids can only be modified during role creation',
    });
  });

  it('refuses a role name longer than 4096 bytes', async () => {
    const h = await harness();
    await expect(h.call('write', `role/${'a'.repeat(4097)}`, {})).rejects.toMatchObject({
      message: 'role_name is longer than maximum of 4096 bytes',
    });
  });
});

describe('approle role-id', () => {
  it('generates a UUID RoleID, reads it, and replaces it with a custom one', async () => {
    const h = await harness();
    await h.call('write', 'role/app', {});
    const generated = (await h.call('read', 'role/app/role-id'))?.data?.role_id;
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await h.call('write', 'role/app/role-id', { role_id: 'custom-id' })).toBeUndefined();
    expect(await h.call('read', 'role/app/role-id')).toEqual({ data: { role_id: 'custom-id' } });
  });

  it('takes a custom RoleID at creation and keeps RoleIDs unique across roles', async () => {
    const h = await harness();
    await h.call('write', 'role/a', { role_id: 'shared' });
    expect((await h.call('read', 'role/a/role-id'))?.data?.role_id).toBe('shared');
    await expect(h.call('write', 'role/b', { role_id: 'shared' })).rejects.toMatchObject({ message: 'role_id already in use' });
    await h.call('write', 'role/b', {});
    await expect(h.call('write', 'role/b/role-id', { role_id: 'shared' })).rejects.toMatchObject({ message: 'role_id already in use' });
    // Once a releases it, b may take it.
    await h.call('write', 'role/a/role-id', { role_id: 'other' });
    await h.call('write', 'role/b/role-id', { role_id: 'shared' });
    expect((await h.call('read', 'role/b/role-id'))?.data?.role_id).toBe('shared');
  });

  it('refuses an empty RoleID and a missing role', async () => {
    const h = await harness();
    await expect(h.call('write', 'role/none/role-id', { role_id: 'x' })).rejects.toMatchObject({
      code: 'not_found',
      message: 'role "none" does not exist',
    });
    expect(await h.call('read', 'role/none/role-id')).toBeUndefined();
    await h.call('write', 'role/app', {});
    await expect(h.call('write', 'role/app/role-id', {})).rejects.toMatchObject({ code: 'invalid_request', message: 'missing role_id' });
    await expect(h.call('write', 'role/app', { role_id: '  ' })).rejects.toMatchObject({
      message: 'invalid role_id supplied, or failed to generate a role_id',
    });
  });

  it('keeps RoleIDs out of storage keys', async () => {
    const h = await harness();
    await h.call('write', 'role/app', { role_id: 'very-secret-role-id' });
    for (const key of h.storage.dump().keys()) expect(key).not.toContain('very-secret-role-id');
  });
});
