import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, initAndUnseal, type TestApp } from './helpers.js';

/** Polls until `check` passes: waits for an event (an expiry), it never asserts on time. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

describe('token lifecycle', () => {
  let t: TestApp;
  let root: string;
  const create = async (body: Record<string, unknown>, token = root, path = 'create') => {
    const res = await call(t, token, 'POST', `/v1/auth/token/${path}`, body);
    if (res.statusCode !== 200) throw new Error(`create failed: ${res.body}`);
    return res.json().auth as { client_token: string; accessor: string; policies: string[]; lease_duration: number; renewable: boolean; orphan: boolean };
  };
  const lookupSelf = (token: string) => call(t, token, 'GET', '/v1/auth/token/lookup-self');

  beforeAll(async () => {
    t = await createTestApp();
    root = (await initAndUnseal(t)).rootToken;
  });
  afterAll(async () => t.close());

  it('creates a token with Vault’s auth block and looks it up', async () => {
    const auth = await create({ policies: ['default'], ttl: '1h', display_name: 'ci', meta: { team: 'a' } });
    expect(auth.client_token).toMatch(/^hvs\./);
    expect(auth.accessor).toMatch(/^[0-9A-Za-z]{24}$/);
    expect(auth).toMatchObject({ policies: ['default'], lease_duration: 3600, renewable: true, orphan: false });
    const data = (await lookupSelf(auth.client_token)).json().data;
    expect(data).toMatchObject({ display_name: 'token-ci', meta: { team: 'a' }, policies: ['default'], creation_ttl: 3600, orphan: false });
    expect(data.ttl).toBeGreaterThan(3500);
    expect(Date.parse(data.expire_time)).toBeGreaterThan(Date.now());
    expect(data.id).toBe(auth.client_token);
    const byAccessor = (await call(t, root, 'POST', '/v1/auth/token/lookup-accessor', { accessor: auth.accessor })).json().data;
    expect(byAccessor.id).toBe('');
    expect(byAccessor.accessor).toBe(auth.accessor);
  });

  it('refuses a token after its TTL and revokes its children with it', async () => {
    const parent = await create({ policies: ['root'], ttl: '2s' });
    const child = await create({ policies: ['default'], ttl: '1h' }, parent.client_token);
    expect((await lookupSelf(child.client_token)).statusCode).toBe(200);
    await eventually(async () => (await lookupSelf(parent.client_token)).statusCode === 403, 'parent expired');
    await eventually(async () => (await lookupSelf(child.client_token)).statusCode === 403, 'child revoked with parent');
    const lookup = await call(t, root, 'POST', '/v1/auth/token/lookup-accessor', { accessor: child.accessor });
    expect(lookup.statusCode).toBe(400);
  });

  it('renews within the max TTL and warns when capped', async () => {
    const auth = await create({ policies: ['default'], ttl: '60s', explicit_max_ttl: '120s' });
    const renewed = await call(t, auth.client_token, 'POST', '/v1/auth/token/renew-self', { increment: '90s' });
    expect(renewed.statusCode).toBe(200);
    expect(renewed.json().auth).toMatchObject({ client_token: auth.client_token, renewable: true });
    expect(renewed.json().auth.lease_duration).toBeGreaterThan(85);
    const capped = await call(t, auth.client_token, 'POST', '/v1/auth/token/renew-self', { increment: '1h' });
    expect(capped.json().auth.lease_duration).toBeLessThanOrEqual(120);
    expect(capped.json().warnings[0]).toMatch(/exceeded the effective max_ttl/);
  });

  it('renews periodic tokens to their period, and refuses non-renewable ones', async () => {
    const periodic = await create({ policies: ['default'], period: '30m' });
    expect(periodic.lease_duration).toBe(1800);
    const renewed = await call(t, root, 'POST', '/v1/auth/token/renew', { token: periodic.client_token, increment: '10s' });
    expect(renewed.json().auth.lease_duration).toBe(1800);
    const fixed = await create({ policies: ['default'], ttl: '1h', renewable: false });
    const refused = await call(t, fixed.client_token, 'POST', '/v1/auth/token/renew-self', {});
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ errors: ['lease is not renewable'] });
    const rootRenew = await call(t, root, 'POST', '/v1/auth/token/renew-self', {});
    expect(rootRenew.statusCode).toBe(400);
  });

  it('counts down num_uses and refuses the token at zero', async () => {
    const auth = await create({ policies: ['default'], num_uses: 2 });
    expect((await lookupSelf(auth.client_token)).statusCode).toBe(200);
    expect((await lookupSelf(auth.client_token)).statusCode).toBe(200);
    expect((await lookupSelf(auth.client_token)).statusCode).toBe(403);
  });

  it('lets exactly one of many concurrent requests spend a single-use token', async () => {
    const auth = await create({ policies: ['default'], num_uses: 1 });
    const results = await Promise.all(Array.from({ length: 8 }, () => lookupSelf(auth.client_token)));
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 403)).toHaveLength(7);
  });

  it('revokes a tree, or only the parent with revoke-orphan', async () => {
    const parent = await create({ policies: ['root'] });
    const child = await create({ policies: ['root'] }, parent.client_token);
    const grandchild = await create({ policies: ['default'] }, child.client_token);
    expect((await call(t, root, 'POST', '/v1/auth/token/revoke', { token: parent.client_token })).statusCode).toBe(204);
    for (const token of [parent, child, grandchild]) expect((await lookupSelf(token.client_token)).statusCode).toBe(403);

    const p2 = await create({ policies: ['root'] });
    const c2 = await create({ policies: ['default'] }, p2.client_token);
    expect((await call(t, root, 'POST', '/v1/auth/token/revoke-orphan', { token: p2.client_token })).statusCode).toBe(204);
    expect((await lookupSelf(p2.client_token)).statusCode).toBe(403);
    const orphaned = await lookupSelf(c2.client_token);
    expect(orphaned.statusCode).toBe(200);
    expect(orphaned.json().data.orphan).toBe(true);
  });

  it('revokes by accessor and by itself', async () => {
    const a = await create({ policies: ['default'] });
    expect((await call(t, root, 'POST', '/v1/auth/token/revoke-accessor', { accessor: a.accessor })).statusCode).toBe(204);
    expect((await lookupSelf(a.client_token)).statusCode).toBe(403);
    const b = await create({ policies: ['default'] });
    expect((await call(t, b.client_token, 'POST', '/v1/auth/token/revoke-self')).statusCode).toBe(204);
    expect((await lookupSelf(b.client_token)).statusCode).toBe(403);
  });

  it('keeps children within their parent’s policies and orphans to sudo callers', async () => {
    const limited = await create({ policies: ['default'] });
    const escalate = await call(t, limited.client_token, 'POST', '/v1/auth/token/create', { policies: ['admin'] });
    // The default policy does not grant auth/token/create at all.
    expect(escalate.statusCode).toBe(403);
    const orphan = await create({ policies: ['default'] }, root, 'create-orphan');
    expect(orphan.orphan).toBe(true);
    const noDefault = await create({ policies: ['ops'], no_default_policy: true });
    expect(noDefault.policies).toEqual(['ops']);
    const inherit = await create({});
    expect(inherit.policies).toEqual(['root']);
  });

  it('lists accessors only for sudo callers, and tidies', async () => {
    const list = await call(t, root, 'GET', '/v1/auth/token/accessors?list=true');
    expect(list.statusCode).toBe(200);
    expect(list.json().data.keys.length).toBeGreaterThan(3);
    const user = await create({ policies: ['default'] });
    expect((await call(t, user.client_token, 'GET', '/v1/auth/token/accessors?list=true')).statusCode).toBe(403);
    expect((await call(t, root, 'POST', '/v1/auth/token/tidy')).statusCode).toBe(200);
  });

  it('refuses bad input on token creation', async () => {
    expect((await call(t, root, 'POST', '/v1/auth/token/create', { ttl: 'forever' })).statusCode).toBe(400);
    expect((await call(t, root, 'POST', '/v1/auth/token/create', { num_uses: -1 })).statusCode).toBe(400);
    expect((await call(t, root, 'POST', '/v1/auth/token/create', { type: 'batch' })).json().errors[0]).toMatch(/not supported/);
    expect((await call(t, root, 'POST', '/v1/auth/token/create', { policies: 7 })).statusCode).toBe(400);
    expect((await call(t, root, 'POST', '/v1/auth/token/lookup', { token: 'hvs.nope' })).statusCode).toBe(403);
  });

  it('tracks token leases in sys/leases, but renews tokens only through auth/token', async () => {
    const auth = await create({ policies: ['default'], ttl: '1h' });
    const leases = await call(t, root, 'GET', '/v1/sys/leases/lookup/auth/token/create/?list=true');
    expect(leases.statusCode).toBe(200);
    const id = `auth/token/create/${(leases.json().data.keys as string[]).at(-1)}`;
    const lookup = await call(t, root, 'POST', '/v1/sys/leases/lookup', { lease_id: id });
    expect(lookup.json().data).toMatchObject({ id, renewable: expect.any(Boolean) });
    expect(Date.parse(lookup.json().data.expire_time)).toBeGreaterThan(Date.now());
    const renew = await call(t, root, 'POST', '/v1/sys/leases/renew', { lease_id: id });
    expect(renew.statusCode).toBe(400);
    expect(renew.json()).toEqual({ errors: ['tokens cannot be renewed through this endpoint'] });
    expect((await call(t, root, 'POST', '/v1/sys/leases/renew', {})).json()).toEqual({ errors: ['lease_id must be specified'] });
    expect((await call(t, root, 'POST', '/v1/sys/leases/renew', { lease_id: 'nope/x' })).json()).toEqual({ errors: ['lease not found'] });
    expect(auth.client_token).toBeDefined();
  });

  it('revokes a token through its lease with revoke-prefix (sudo)', async () => {
    const auth = await create({ policies: ['default'], ttl: '1h' }, root, 'create-orphan');
    expect((await call(t, root, 'POST', '/v1/sys/leases/revoke-prefix/auth/token/create-orphan')).statusCode).toBe(204);
    expect((await lookupSelf(auth.client_token)).statusCode).toBe(403);
    const user = await create({ policies: ['default'] });
    expect((await call(t, user.client_token, 'POST', '/v1/sys/leases/revoke-prefix/auth')).statusCode).toBe(403);
  });

  it('answers capabilities for self, token and accessor', async () => {
    const self = await call(t, root, 'POST', '/v1/sys/capabilities-self', { paths: ['secret/x'] });
    expect(self.json().data).toEqual({ 'secret/x': ['root'], capabilities: ['root'] });
    expect(self.json()['secret/x']).toEqual(['root']);
    const user = await create({ policies: ['default'] });
    const theirs = await call(t, root, 'POST', '/v1/sys/capabilities', { token: user.client_token, path: 'auth/token/lookup-self' });
    expect(theirs.json().data.capabilities).toEqual(['read']);
    const viaAccessor = await call(t, root, 'POST', '/v1/sys/capabilities-accessor', { accessor: user.accessor, paths: ['secret/x'] });
    expect(viaAccessor.json().data.capabilities).toEqual(['deny']);
    const own = await call(t, user.client_token, 'POST', '/v1/sys/capabilities-self', { path: 'cubbyhole/x' });
    expect(own.statusCode).toBe(200);
  });
});
