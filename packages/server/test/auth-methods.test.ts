import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, initAndUnseal, type TestApp } from './helpers.js';

describe('auth methods through the pipeline', () => {
  let t: TestApp;
  let root: string;
  beforeAll(async () => {
    t = await createTestApp();
    root = (await initAndUnseal(t)).rootToken;
    expect((await call(t, root, 'POST', '/v1/sys/auth/approle', { type: 'approle' })).statusCode).toBe(204);
    expect((await call(t, root, 'POST', '/v1/sys/auth/userpass', { type: 'userpass' })).statusCode).toBe(204);
  });
  afterAll(async () => t.close());

  it('lists and tunes auth mounts, and refuses unknown types', async () => {
    const list = (await call(t, root, 'GET', '/v1/sys/auth')).json();
    expect(Object.keys(list.data).sort()).toEqual(['approle/', 'token/', 'userpass/']);
    expect(list['approle/']).toMatchObject({ type: 'approle' });
    expect((await call(t, root, 'POST', '/v1/sys/auth/approle/tune', { max_lease_ttl: '2h' })).statusCode).toBe(204);
    expect((await call(t, root, 'GET', '/v1/sys/auth/approle/tune')).json().data.max_lease_ttl).toBe(7200);
    // Vault's CLI tunes auth methods through sys/mounts/auth/<path>/tune.
    expect((await call(t, root, 'POST', '/v1/sys/mounts/auth/approle/tune', { max_lease_ttl: '3h' })).statusCode).toBe(204);
    expect((await call(t, root, 'GET', '/v1/sys/mounts/auth/approle/tune')).json().data.max_lease_ttl).toBe(10800);
    expect((await call(t, root, 'POST', '/v1/sys/auth/x', { type: 'nope' })).statusCode).toBe(400);
    expect((await call(t, root, 'POST', '/v1/sys/auth/token2', { type: 'token' })).statusCode).toBe(400);
  });

  it('logs in with AppRole: token with the role’s policies and TTLs, orphan, metadata', async () => {
    await call(t, root, 'POST', '/v1/auth/approle/role/app', { token_policies: ['app'], token_ttl: '20m', token_max_ttl: '1h' });
    const roleId = (await call(t, root, 'GET', '/v1/auth/approle/role/app/role-id')).json().data.role_id;
    const secretId = (await call(t, root, 'POST', '/v1/auth/approle/role/app/secret-id')).json().data.secret_id;
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/approle/login', payload: { role_id: roleId, secret_id: secretId } });
    expect(login.statusCode).toBe(200);
    const auth = login.json().auth;
    expect(auth).toMatchObject({ policies: ['app', 'default'], token_policies: ['app', 'default'], lease_duration: 1200, renewable: true, orphan: true, metadata: { role_name: 'app' } });
    const self = (await call(t, auth.client_token, 'GET', '/v1/auth/token/lookup-self')).json().data;
    expect(self).toMatchObject({ path: 'auth/approle/login', display_name: 'approle', meta: { role_name: 'app' } });
    // Renewal asks AppRole again and stays within the role's max TTL.
    const renewed = await call(t, auth.client_token, 'POST', '/v1/auth/token/renew-self', { increment: '2h' });
    expect(renewed.statusCode).toBe(200);
    expect(renewed.json().auth.lease_duration).toBeLessThanOrEqual(3600);
    await call(t, root, 'DELETE', '/v1/auth/approle/role/app');
    const refused = await call(t, auth.client_token, 'POST', '/v1/auth/token/renew-self', {});
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0]).toMatch(/does not exist during renewal/);
  });

  it('refuses wrong AppRole credentials with 400', async () => {
    const bad = await t.app.inject({ method: 'POST', url: '/v1/auth/approle/login', payload: { role_id: 'x', secret_id: 'y' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ errors: ['invalid role or secret ID'] });
  });

  it('binds tokens to CIDRs: a token used from elsewhere is refused', async () => {
    await call(t, root, 'POST', '/v1/auth/approle/role/bound', { token_policies: ['app'], token_bound_cidrs: ['10.1.0.0/16'] });
    const roleId = (await call(t, root, 'GET', '/v1/auth/approle/role/bound/role-id')).json().data.role_id;
    const secretId = (await call(t, root, 'POST', '/v1/auth/approle/role/bound/secret-id')).json().data.secret_id;
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/approle/login',
      payload: { role_id: roleId, secret_id: secretId },
      remoteAddress: '10.1.2.3',
    });
    const token = login.json().auth.client_token;
    const inside = await t.app.inject({ url: '/v1/auth/token/lookup-self', headers: { 'x-vault-token': token }, remoteAddress: '10.1.9.9' });
    expect(inside.statusCode).toBe(200);
    const outside = await t.app.inject({ url: '/v1/auth/token/lookup-self', headers: { 'x-vault-token': token }, remoteAddress: '192.168.0.1' });
    expect(outside.statusCode).toBe(403);
  });

  it('logs in with userpass and refuses wrong or unknown users alike', async () => {
    await call(t, root, 'POST', '/v1/auth/userpass/users/Alice', { password: 'correct horse', token_policies: 'dev' });
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/userpass/login/alice', payload: { password: 'correct horse' } });
    expect(login.statusCode).toBe(200);
    expect(login.json().auth).toMatchObject({ policies: ['default', 'dev'], metadata: { username: 'alice' }, orphan: true });
    const wrong = await t.app.inject({ method: 'POST', url: '/v1/auth/userpass/login/alice', payload: { password: 'nope' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/v1/auth/userpass/login/bob', payload: { password: 'nope' } });
    expect(wrong.statusCode).toBe(400);
    expect(unknown.statusCode).toBe(400);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('keeps answering other requests during a userpass login flood, and sheds the excess with 429', async () => {
    await call(t, root, 'POST', '/v1/auth/userpass/users/flood', { password: 'pw-flood', token_policies: 'dev' });
    const logins = Array.from({ length: 60 }, (_, i) =>
      t.app.inject({ method: 'POST', url: `/v1/auth/userpass/login/${i % 2 ? 'flood' : 'ghost'}`, payload: { password: 'wrong' } }),
    );
    // While the KDF work queues up, health and token lookups are still served.
    const health = await t.app.inject({ url: '/v1/sys/health' });
    expect(health.statusCode).toBe(200);
    expect((await call(t, root, 'GET', '/v1/auth/token/lookup-self')).statusCode).toBe(200);
    const results = await Promise.all(logins);
    const codes = new Set(results.map((r) => r.statusCode));
    expect([...codes].every((c) => c === 400 || c === 429)).toBe(true);
    expect(results.some((r) => r.statusCode === 429)).toBe(true);
    const shed = results.find((r) => r.statusCode === 429);
    expect(shed?.json().errors[0]).toBeTruthy();
  });

  it('refuses expired and destroyed AppRole secret IDs', async () => {
    await call(t, root, 'POST', '/v1/auth/approle/role/short', { token_policies: ['app'], secret_id_ttl: '1s' });
    const roleId = (await call(t, root, 'GET', '/v1/auth/approle/role/short/role-id')).json().data.role_id;
    const expiring = (await call(t, root, 'POST', '/v1/auth/approle/role/short/secret-id')).json().data.secret_id;
    const destroyed = (await call(t, root, 'POST', '/v1/auth/approle/role/short/secret-id')).json().data.secret_id;
    await call(t, root, 'POST', '/v1/auth/approle/role/short/secret-id/destroy', { secret_id: destroyed });
    const login = (secretId: string) => t.app.inject({ method: 'POST', url: '/v1/auth/approle/login', payload: { role_id: roleId, secret_id: secretId } });
    expect((await login(destroyed)).statusCode).toBe(400);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await login(expiring);
    expect(expired.statusCode).toBe(400);
    expect(expired.json()).toEqual({ errors: ['invalid role or secret ID'] });
  });
});
