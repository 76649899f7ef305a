import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, initAndUnseal, type TestApp } from './helpers.js';

describe('cubbyhole and response wrapping', () => {
  let t: TestApp;
  let root: string;
  const wrapped = (token: string, method: string, url: string, ttl: string, payload?: unknown) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: { 'x-vault-token': token, 'x-vault-wrap-ttl': ttl, ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(payload ? { payload: JSON.stringify(payload) } : {}),
    });

  beforeAll(async () => {
    t = await createTestApp();
    root = (await initAndUnseal(t)).rootToken;
    await call(t, root, 'POST', '/v1/sys/mounts/secret', { type: 'kv-v2' });
    await call(t, root, 'POST', '/v1/secret/data/app', { data: { password: 'wrapped-value' } });
  });
  afterAll(async () => t.close());

  it('keeps each token’s cubbyhole private and drops it with the token', async () => {
    const a = (await call(t, root, 'POST', '/v1/auth/token/create', { policies: ['default'] })).json().auth.client_token;
    const b = (await call(t, root, 'POST', '/v1/auth/token/create', { policies: ['default'] })).json().auth.client_token;
    expect((await call(t, a, 'POST', '/v1/cubbyhole/note', { text: 'mine' })).statusCode).toBe(204);
    expect((await call(t, a, 'GET', '/v1/cubbyhole/note')).json().data).toEqual({ text: 'mine' });
    expect((await call(t, b, 'GET', '/v1/cubbyhole/note')).statusCode).toBe(404);
    expect((await call(t, a, 'GET', '/v1/cubbyhole/?list=true')).json().data.keys).toEqual(['note']);
    const before = t.storage.dump().size;
    await call(t, root, 'POST', '/v1/auth/token/revoke', { token: a });
    expect(t.storage.dump().size).toBeLessThan(before);
    expect((await call(t, root, 'GET', '/v1/sys/mounts')).json().data['cubbyhole/']).toMatchObject({ type: 'cubbyhole' });
    expect((await call(t, root, 'DELETE', '/v1/sys/mounts/cubbyhole')).statusCode).toBe(400);
  });

  it('wraps any response in a single-use token and unwraps it exactly once', async () => {
    const res = await wrapped(root, 'GET', '/v1/secret/data/app', '5m');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data).toBeNull();
    expect(body.wrap_info).toMatchObject({ ttl: 300, creation_path: 'secret/data/app' });
    expect(body.wrap_info.token).toMatch(/^hvs\./);
    expect(JSON.stringify(body)).not.toContain('wrapped-value');

    const lookup = await t.app.inject({ method: 'POST', url: '/v1/sys/wrapping/lookup', payload: { token: body.wrap_info.token } });
    expect(lookup.json().data).toMatchObject({ creation_path: 'secret/data/app', creation_ttl: 300 });

    const unwrapped = await call(t, body.wrap_info.token, 'POST', '/v1/sys/wrapping/unwrap');
    expect(unwrapped.statusCode).toBe(200);
    expect(unwrapped.json().data.data).toEqual({ password: 'wrapped-value' });
    const again = await call(t, body.wrap_info.token, 'POST', '/v1/sys/wrapping/unwrap');
    expect(again.statusCode).toBe(403);
    const byBody = await call(t, root, 'POST', '/v1/sys/wrapping/unwrap', { token: body.wrap_info.token });
    expect(byBody.statusCode).toBe(400);
    expect(byBody.json()).toEqual({ errors: ['wrapping token is not valid or does not exist'] });
  });

  it('wraps a login (AppRole secret-id delivery) and hands back the auth block', async () => {
    await call(t, root, 'POST', '/v1/sys/auth/approle', { type: 'approle' });
    await call(t, root, 'POST', '/v1/auth/approle/role/app', { token_policies: ['app'] });
    const secretId = await wrapped(root, 'POST', '/v1/auth/approle/role/app/secret-id', '60s');
    const wrapToken = secretId.json().wrap_info.token;
    const unwrapped = await call(t, root, 'POST', '/v1/sys/wrapping/unwrap', { token: wrapToken });
    expect(unwrapped.json().data.secret_id).toMatch(/^[0-9a-f-]{36}$/);
    const created = await wrapped(root, 'POST', '/v1/auth/token/create', '2m', { policies: ['default'] });
    expect(created.json().auth).toBeNull();
    const info = created.json().wrap_info;
    expect(info.wrapped_accessor).toMatch(/^[0-9A-Za-z]{24}$/);
    const token = (await call(t, info.token, 'POST', '/v1/sys/wrapping/unwrap')).json().auth;
    expect(token.accessor).toBe(info.wrapped_accessor);
    expect((await call(t, token.client_token, 'GET', '/v1/auth/token/lookup-self')).statusCode).toBe(200);
  });

  it('wraps arbitrary data with sys/wrapping/wrap and rewraps it into a new token', async () => {
    const wrap = await call(t, root, 'POST', '/v1/sys/wrapping/wrap', { hello: 'world' });
    expect(wrap.json().wrap_info.ttl).toBe(300);
    const rewrap = await call(t, root, 'POST', '/v1/sys/wrapping/rewrap', { token: wrap.json().wrap_info.token });
    const fresh = rewrap.json().wrap_info.token;
    expect(fresh).not.toBe(wrap.json().wrap_info.token);
    expect((await call(t, root, 'POST', '/v1/sys/wrapping/unwrap', { token: wrap.json().wrap_info.token })).statusCode).toBe(400);
    expect((await call(t, root, 'POST', '/v1/sys/wrapping/unwrap', { token: fresh })).json().data).toEqual({ hello: 'world' });
  });

  it('refuses bad wrap TTLs', async () => {
    expect((await wrapped(root, 'GET', '/v1/secret/data/app', '-5')).statusCode).toBe(400);
    expect((await wrapped(root, 'GET', '/v1/secret/data/app', 'soon')).statusCode).toBe(400);
    expect((await wrapped(root, 'GET', '/v1/secret/data/app', '9999h')).statusCode).toBe(400);
  });

  it('keeps the response-wrapping policy immutable', async () => {
    expect((await call(t, root, 'PUT', '/v1/sys/policies/acl/response-wrapping', { policy: 'path "x" { capabilities = ["read"] }' })).statusCode).toBe(400);
    expect((await call(t, root, 'GET', '/v1/sys/policies/acl?list=true')).json().data.keys).toContain('response-wrapping');
  });
});
