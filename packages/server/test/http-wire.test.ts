import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, initAndUnseal, type TestApp } from './helpers.js';

describe('HTTP wire contract and bad input', () => {
  let t: TestApp;
  let root: string;
  beforeAll(async () => {
    t = await createTestApp({ maxRequestSize: 1024 * 1024 });
    root = (await initAndUnseal(t)).rootToken;
    expect((await call(t, root, 'POST', '/v1/sys/mounts/secret', { type: 'kv', options: { version: '2' } })).statusCode).toBe(204);
  });
  afterAll(async () => t.close());

  const stillServing = async () => {
    const res = await call(t, root, 'GET', '/v1/auth/token/lookup-self');
    expect(res.statusCode).toBe(200);
  };

  it('answers a missing token and a forged token with 403 permission denied', async () => {
    const none = await t.app.inject({ url: '/v1/secret/data/x' });
    expect(none.statusCode).toBe(403);
    expect(none.json()).toEqual({ errors: ['permission denied'] });
    const forged = await call(t, 'hvs.AAAAAAAAAAAAAAAAAAAAAAAA', 'GET', '/v1/secret/data/x');
    expect(forged.statusCode).toBe(403);
    const bearerForged = await t.app.inject({ url: '/v1/secret/data/x', headers: { authorization: 'Bearer nope' } });
    expect(bearerForged.statusCode).toBe(403);
    await stillServing();
  });

  it('accepts Authorization: Bearer', async () => {
    const res = await t.app.inject({ url: '/v1/auth/token/lookup-self', headers: { authorization: `Bearer ${root}` } });
    expect(res.statusCode).toBe(200);
  });

  it('returns the envelope with request_id, mount_type and nulls', async () => {
    const res = await call(t, root, 'GET', '/v1/sys/mounts');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0, wrap_info: null, warnings: null, auth: null, mount_type: 'system' });
    expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    // Legacy sys routes copy data to the top level.
    expect(body['secret/']).toMatchObject({ type: 'kv', options: { version: '2' } });
    expect(body.data['sys/']).toMatchObject({ type: 'system' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses malformed JSON with 400 and a clear message', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/secret/data/x',
      headers: { 'x-vault-token': root, 'content-type': 'application/json' },
      payload: '{"data": {"a": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatch(/^failed to parse JSON input/);
    await stillServing();
  });

  it('refuses a JSON body that is not an object', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/secret/data/x',
      headers: { 'x-vault-token': root, 'content-type': 'application/json' },
      payload: '[1,2,3]',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatch(/must be a JSON object/);
  });

  it('refuses a body in a wrong content type that is not JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/secret/data/x',
      headers: { 'x-vault-token': root, 'content-type': 'application/xml' },
      payload: '<data><a>1</a></data>',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatch(/^failed to parse JSON input/);
  });

  it('accepts JSON sent as form-encoded or without a content type, as Vault does', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sys/mounts/formkv',
      headers: { 'x-vault-token': root, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '{"type":"kv"}',
    });
    expect(res.statusCode).toBe(204);
    const form = await t.app.inject({
      method: 'POST',
      url: '/v1/sys/mounts/formkv2',
      headers: { 'x-vault-token': root, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'type=kv&description=from+a+form',
    });
    expect(form.statusCode).toBe(204);
    expect((await call(t, root, 'GET', '/v1/sys/mounts/formkv2')).json().data.description).toBe('from a form');
  });

  it('refuses JSON nested deeper than 300 levels (Vault’s max_json_depth) with 400, never a 500', async () => {
    for (const depth of [301, 5_000, 50_000]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/secret/data/deep',
        headers: { 'x-vault-token': root, 'content-type': 'application/json' },
        payload: `{"data":{"x":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatch(/nesting depth/);
    }
    const deep = `{"data":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/secret/data/deep',
      headers: { 'x-vault-token': root, 'content-type': 'application/json' },
      payload: deep,
    });
    expect(res.statusCode).toBe(400);
    const nested = `{"data":{"a":${'{"b":'.repeat(250)}1${'}'.repeat(250)}}}`;
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/secret/data/nested',
      headers: { 'x-vault-token': root, 'content-type': 'application/json' },
      payload: nested,
    });
    expect(ok.statusCode).toBe(200);
    expect((await call(t, root, 'GET', '/v1/secret/data/nested')).statusCode).toBe(200);
    await stillServing();
  });

  it('refuses non-UTF-8 bodies', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/secret/data/x',
      headers: { 'x-vault-token': root, 'content-type': 'application/json' },
      payload: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatch(/not valid UTF-8/);
  });

  it('refuses oversized bodies with 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/secret/data/big',
      headers: { 'x-vault-token': root, 'content-type': 'application/json' },
      payload: JSON.stringify({ data: { v: 'x'.repeat(2 * 1024 * 1024) } }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ errors: ['http: request body too large'] });
    await stillServing();
  });

  // inject() resolves "..", so raw traversal paths are tested over a real socket in listener.test.ts.
  it.each(['/v1/secret//data/x', '/v1//sys/mounts', '/v1/secret/data/a%00b', '/v1/secret/data/%ff', '/v1/secret/data/%'])(
    'refuses the path %s with 400',
    async (url) => {
      const res = await call(t, root, 'GET', url);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatch(/invalid request path/);
      await stillServing();
    },
  );

  it('answers unknown paths with 404 and unknown mounts with a clear message', async () => {
    const res = await call(t, root, 'GET', '/v1/nosuchmount/x');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ errors: ['no handler for route "nosuchmount/x". route entry not found.'] });
    const outside = await t.app.inject({ url: '/v2/whatever' });
    expect(outside.statusCode).toBe(404);
    expect(outside.json()).toEqual({ errors: [] });
    const sysUnknown = await call(t, root, 'GET', '/v1/sys/nonsense');
    expect(sysUnknown.statusCode).toBe(404);
    expect(sysUnknown.json()).toEqual({ errors: ['unsupported path'] });
  });

  it('answers wrong methods with 405', async () => {
    for (const method of ['OPTIONS', 'TRACE'] as const) {
      const res = await t.app.inject({ method, url: '/v1/secret/data/x', headers: { 'x-vault-token': root } });
      expect(res.statusCode).toBe(405);
      expect(res.json().errors[0]).toMatch(/unsupported method/);
    }
    const del = await call(t, root, 'DELETE', '/v1/auth/token/lookup-self');
    expect(del.statusCode).toBe(405);
    expect(del.json()).toEqual({ errors: ['unsupported operation'] });
  });

  it('requires merge-patch for PATCH', async () => {
    const res = await call(t, root, 'PATCH', '/v1/secret/data/x', { data: { a: 1 } });
    expect(res.statusCode).toBe(415);
  });

  it('treats GET ?list=true as LIST and answers an empty list with 404 {"errors":[]}', async () => {
    const res = await call(t, root, 'GET', '/v1/secret/metadata/nothing-here/?list=true');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ errors: [] });
  });
});

describe('sys/mounts', () => {
  let t: TestApp;
  let root: string;
  beforeAll(async () => {
    t = await createTestApp();
    root = (await initAndUnseal(t)).rootToken;
  });
  afterAll(async () => t.close());

  it('has no secret/ mount outside dev mode', async () => {
    const mounts = (await call(t, root, 'GET', '/v1/sys/mounts')).json().data;
    expect(Object.keys(mounts).sort()).toEqual(['cubbyhole/', 'sys/']);
  });

  it('enables, reads, tunes and disables a mount', async () => {
    expect((await call(t, root, 'POST', '/v1/sys/mounts/kv2', { type: 'kv-v2', description: 'mine' })).statusCode).toBe(204);
    const read = (await call(t, root, 'GET', '/v1/sys/mounts/kv2')).json().data;
    expect(read).toMatchObject({ type: 'kv', description: 'mine', options: { version: '2' } });
    expect(read.accessor).toMatch(/^kv_[0-9a-f]{8}$/);
    expect((await call(t, root, 'POST', '/v1/sys/mounts/kv2/tune', { default_lease_ttl: '1h', max_lease_ttl: 7200 })).statusCode).toBe(204);
    expect((await call(t, root, 'GET', '/v1/sys/mounts/kv2/tune')).json().data).toMatchObject({
      default_lease_ttl: 3600,
      max_lease_ttl: 7200,
      description: 'mine',
    });
    const ui = (await call(t, root, 'GET', '/v1/sys/internal/ui/mounts/kv2/data/foo')).json().data;
    expect(ui).toMatchObject({ path: 'kv2/', type: 'kv', options: { version: '2' } });
    const unmounted = await call(t, root, 'GET', '/v1/sys/internal/ui/mounts/nope/x');
    expect(unmounted.statusCode).toBe(403);
    expect(unmounted.json().errors[0]).toMatch(/preflight capability check returned 403/);
    expect((await call(t, root, 'DELETE', '/v1/sys/mounts/kv2')).statusCode).toBe(204);
    expect(Object.keys((await call(t, root, 'GET', '/v1/sys/mounts')).json().data)).not.toContain('kv2/');
  });

  it('refuses conflicting, reserved and unknown mounts', async () => {
    await call(t, root, 'POST', '/v1/sys/mounts/a/b', { type: 'kv' });
    const nested = await call(t, root, 'POST', '/v1/sys/mounts/a/b/c', { type: 'kv' });
    expect(nested.statusCode).toBe(400);
    expect(nested.json().errors[0]).toMatch(/path is already in use at a\/b\//);
    expect((await call(t, root, 'POST', '/v1/sys/mounts/sys', { type: 'kv' })).statusCode).toBe(400);
    expect((await call(t, root, 'POST', '/v1/sys/mounts/x', { type: 'nope' })).json().errors[0]).toMatch(/not supported/);
    expect((await call(t, root, 'POST', '/v1/sys/mounts/x', { type: 'system' })).statusCode).toBe(400);
    expect((await call(t, root, 'POST', '/v1/sys/mounts/y', {})).statusCode).toBe(400);
    expect((await call(t, root, 'POST', '/v1/sys/mounts/z/tune', { default_lease_ttl: 'forever' })).statusCode).toBe(400);
    expect((await call(t, root, 'DELETE', '/v1/sys/mounts/sys')).statusCode).toBe(400);
  });

  it('keeps a mount’s data private and removes it on disable', async () => {
    await call(t, root, 'POST', '/v1/sys/mounts/one', { type: 'kv' });
    await call(t, root, 'POST', '/v1/one/k', { v: 'secret-one' });
    expect((await call(t, root, 'GET', '/v1/one/k')).json().data).toEqual({ v: 'secret-one' });
    await call(t, root, 'DELETE', '/v1/sys/mounts/one');
    await call(t, root, 'POST', '/v1/sys/mounts/one', { type: 'kv' });
    expect((await call(t, root, 'GET', '/v1/one/k')).statusCode).toBe(404);
  });

  it('rotates the barrier key and reports its status', async () => {
    const before = (await call(t, root, 'GET', '/v1/sys/key-status')).json();
    expect(before.data.term).toBe(1);
    expect(before.term).toBe(1);
    expect((await call(t, root, 'POST', '/v1/sys/rotate')).statusCode).toBe(204);
    const after = (await call(t, root, 'GET', '/v1/sys/key-status')).json().data;
    expect(after.term).toBe(2);
    expect(Date.parse(after.install_time)).not.toBeNaN();
  });
});
