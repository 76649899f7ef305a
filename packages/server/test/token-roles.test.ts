import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, initAndUnseal, type TestApp } from './helpers.js';

describe('token roles', () => {
  let t: TestApp;
  let root: string;
  let minter: string;
  beforeAll(async () => {
    t = await createTestApp();
    root = (await initAndUnseal(t)).rootToken;
    await call(t, root, 'PUT', '/v1/sys/policies/acl/minter', { policy: 'path "auth/token/create/*" { capabilities = ["update"] }' });
    minter = (await call(t, root, 'POST', '/v1/auth/token/create', { policies: ['minter'] })).json().auth.client_token;
  });
  afterAll(async () => t.close());

  it('writes, reads, lists and deletes roles', async () => {
    const write = await call(t, root, 'POST', '/v1/auth/token/roles/ci', {
      allowed_policies: ['app', 'deploy'],
      orphan: true,
      token_period: '1h',
      token_explicit_max_ttl: '24h',
    });
    expect(write.statusCode).toBe(204);
    const read = (await call(t, root, 'GET', '/v1/auth/token/roles/ci')).json().data;
    expect(read).toMatchObject({ name: 'ci', allowed_policies: ['app', 'deploy'], orphan: true, token_period: 3600, token_explicit_max_ttl: 86400, renewable: true });
    expect((await call(t, root, 'GET', '/v1/auth/token/roles?list=true')).json().data.keys).toEqual(['ci']);
    await call(t, root, 'POST', '/v1/auth/token/roles/gone', {});
    expect((await call(t, root, 'DELETE', '/v1/auth/token/roles/gone')).statusCode).toBe(204);
    expect((await call(t, root, 'GET', '/v1/auth/token/roles/gone')).statusCode).toBe(404);
  });

  it('lets a role grant its allowed policies to a caller who lacks them', async () => {
    const created = await call(t, minter, 'POST', '/v1/auth/token/create/ci', { policies: ['deploy'] });
    expect(created.statusCode).toBe(200);
    const auth = created.json().auth;
    expect(auth).toMatchObject({ policies: ['default', 'deploy'], orphan: true, lease_duration: 3600 });
    const self = (await call(t, auth.client_token, 'GET', '/v1/auth/token/lookup-self')).json().data;
    expect(self).toMatchObject({ role: 'ci', period: 3600, path: 'auth/token/create/ci' });
    const all = (await call(t, minter, 'POST', '/v1/auth/token/create/ci', {})).json().auth;
    expect(all.policies).toEqual(['app', 'default', 'deploy']);
  });

  it('refuses policies outside the role, disallowed ones, and unknown roles', async () => {
    const outside = await call(t, minter, 'POST', '/v1/auth/token/create/ci', { policies: ['admin'] });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().errors[0]).toMatch(/must be subset of the role's allowed policies/);
    await call(t, root, 'POST', '/v1/auth/token/roles/nodev', { disallowed_policies: ['dev'], allowed_policies_glob: ['team-*'] });
    expect((await call(t, minter, 'POST', '/v1/auth/token/create/nodev', { policies: ['team-a'] })).statusCode).toBe(200);
    expect((await call(t, minter, 'POST', '/v1/auth/token/create/nodev', { policies: ['dev'] })).statusCode).toBe(400);
    expect((await call(t, minter, 'POST', '/v1/auth/token/create/nosuch', {})).json()).toEqual({ errors: ['unknown role nosuch'] });
    expect((await call(t, root, 'POST', '/v1/auth/token/roles/bad', { token_period: '-1s' })).statusCode).toBe(400);
    expect((await call(t, root, 'POST', '/v1/auth/token/roles/bad', { token_type: 'batch' })).statusCode).toBe(400);
  });

  it('takes form-encoded values as vault write sends them', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: '/v1/auth/token/roles/form',
      headers: { 'x-vault-token': root, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'allowed_policies=reader&orphan=true',
    });
    expect(res.statusCode).toBe(204);
    expect((await call(t, root, 'GET', '/v1/auth/token/roles/form')).json().data).toMatchObject({ orphan: true, allowed_policies: ['reader'] });
  });

  it('applies the role’s renewable and explicit max TTL', async () => {
    await call(t, root, 'POST', '/v1/auth/token/roles/short', { allowed_policies: ['app'], renewable: false, token_explicit_max_ttl: '10m' });
    const auth = (await call(t, minter, 'POST', '/v1/auth/token/create/short', { ttl: '1h' })).json().auth;
    expect(auth.renewable).toBe(false);
    expect(auth.lease_duration).toBe(600);
  });
});
