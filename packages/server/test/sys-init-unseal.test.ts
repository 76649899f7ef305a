import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, createTestApp, initAndUnseal, type TestApp } from './helpers.js';

describe('sys/init, sys/unseal, sys/seal-status, sys/seal', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  it('reports an uninitialised, sealed node', async () => {
    expect((await t.app.inject({ url: '/v1/sys/init' })).json()).toEqual({ initialized: false });
    const status = await t.app.inject({ url: '/v1/sys/seal-status' });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ type: 'shamir', initialized: false, sealed: true, t: 0, n: 0, progress: 0 });
    expect(status.headers['cache-control']).toBe('no-store');
  });

  it('initialises with 5 shares, threshold 3, and unseals with any 3 keys in hex or base64', async () => {
    const init = await t.app.inject({ method: 'PUT', url: '/v1/sys/init', payload: { secret_shares: 5, secret_threshold: 3 } });
    expect(init.statusCode).toBe(200);
    const body = init.json() as { keys: string[]; keys_base64: string[]; root_token: string };
    expect(body.keys).toHaveLength(5);
    expect(body.keys_base64).toHaveLength(5);
    expect(body.root_token).toMatch(/^hvs\.[0-9A-Za-z]{24}$/);
    for (const [i, hex] of body.keys.entries()) {
      expect(Buffer.from(hex, 'hex').toString('base64')).toBe(body.keys_base64[i]);
    }
    expect((await t.app.inject({ url: '/v1/sys/init' })).json()).toEqual({ initialized: true });

    const first = await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: body.keys[4] } });
    expect(first.json()).toMatchObject({ sealed: true, t: 3, n: 5, progress: 1 });
    const nonce = (first.json() as { nonce: string }).nonce;
    expect(nonce).toMatch(/^[0-9a-f-]{36}$/);
    const second = await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: body.keys_base64[1] } });
    expect(second.json()).toMatchObject({ sealed: true, progress: 2, nonce });
    const third = await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: body.keys[2] } });
    expect(third.json()).toMatchObject({ sealed: false, progress: 0, nonce: '' });
    expect(third.json()).toHaveProperty('cluster_id');

    const lookup = await call(t, body.root_token, 'GET', '/v1/auth/token/lookup-self');
    expect(lookup.statusCode).toBe(200);
    expect(lookup.json().data).toMatchObject({ policies: ['root'], ttl: 0, expire_time: null, id: body.root_token });
  });

  it('refuses a second init', async () => {
    await initAndUnseal(t);
    const again = await t.app.inject({ method: 'PUT', url: '/v1/sys/init', payload: { secret_shares: 1, secret_threshold: 1 } });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ errors: ['Vault is already initialized'] });
  });

  it.each([
    [{ secret_shares: 0, secret_threshold: 0 }, 'secret_shares must be between 1 and 255'],
    [{ secret_shares: 256, secret_threshold: 3 }, 'secret_shares must be between 1 and 255'],
    [{ secret_shares: 100000, secret_threshold: 3 }, 'secret_shares must be between 1 and 255'],
    [{ secret_shares: 3, secret_threshold: 4 }, 'secret_threshold must be between 1 and secret_shares'],
    [{ secret_shares: 3, secret_threshold: 1 }, 'secret_threshold must be greater than one for multiple shares'],
    [{ secret_shares: 'five', secret_threshold: 3 }, 'secret_shares must be an integer'],
    [{ secret_shares: 1.5, secret_threshold: 1 }, 'secret_shares must be an integer'],
    [{ secret_shares: 3, secret_threshold: 2, recovery_shares: 3 }, 'parameters recovery_shares,recovery_threshold,recovery_pgp_keys not applicable to seal type shamir'],
    [{ secret_shares: 3, secret_threshold: 2, pgp_keys: ['x'] }, 'pgp_keys is not supported yet'],
  ])('refuses init parameters %j', async (payload, message) => {
    const res = await t.app.inject({ method: 'PUT', url: '/v1/sys/init', payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ errors: [message] });
    expect((await t.app.inject({ url: '/v1/sys/init' })).json()).toEqual({ initialized: false });
  });

  it('reports wrong and duplicate keys, and resets progress on a wrong combination', async () => {
    const init = (await t.app.inject({ method: 'PUT', url: '/v1/sys/init', payload: { secret_shares: 3, secret_threshold: 2 } })).json() as {
      keys: string[];
    };
    const unseal = (payload: unknown) => t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: payload as object });

    expect((await unseal({ key: 'zz-not-a-key' })).json()).toEqual({ errors: ["'key' must be a valid hex or base64 string"] });
    expect((await unseal({})).json()).toEqual({
      errors: ["'key' must be specified in request body as JSON, or 'reset' set to true"],
    });
    const short = await unseal({ key: 'abcd' });
    expect(short.statusCode).toBe(400);
    expect(short.json().errors[0]).toMatch(/invalid key/);

    expect((await unseal({ key: init.keys[0] })).json()).toMatchObject({ progress: 1 });
    const dup = await unseal({ key: init.keys[0] });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().errors[0]).toMatch(/already been provided/);

    // A forged share with a fresh x-coordinate: the combination fails to decrypt the root key.
    const forged = Buffer.from(init.keys[1] as string, 'hex');
    forged[0] = (forged[0] ?? 0) ^ 0xff;
    const wrong = await unseal({ key: forged.toString('hex') });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0]).toMatch(/unseal failed/);
    expect((await t.app.inject({ url: '/v1/sys/seal-status' })).json()).toMatchObject({ sealed: true, progress: 0 });

    await unseal({ key: init.keys[2] });
    expect((await unseal({ key: init.keys[1] })).json()).toMatchObject({ sealed: false });
  });

  it('resets unseal progress on request', async () => {
    const init = (await t.app.inject({ method: 'PUT', url: '/v1/sys/init', payload: { secret_shares: 3, secret_threshold: 2 } })).json() as {
      keys: string[];
    };
    await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: init.keys[0] } });
    const reset = await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { reset: true } });
    expect(reset.json()).toMatchObject({ sealed: true, progress: 0, nonce: '' });
  });

  it('refuses unseal before init', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: 'aa'.repeat(33) } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ errors: ['Vault is not initialized'] });
  });

  it('answers 503 "Vault is sealed" for logical requests while sealed', async () => {
    const res = await t.app.inject({ url: '/v1/secret/data/x', headers: { 'x-vault-token': 'hvs.whatever' } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ errors: ['Vault is sealed'] });
    // Without HA, sys/leader answers even while sealed, as Vault does.
    expect((await t.app.inject({ url: '/v1/sys/leader' })).json()).toMatchObject({ ha_enabled: false });
  });

  it('seals with a root token, and only with one', async () => {
    const { rootToken, keys } = await initAndUnseal(t);
    const child = (await call(t, rootToken, 'POST', '/v1/auth/token/create', { policies: ['default'] })).json().auth.client_token;
    const denied = await call(t, child, 'PUT', '/v1/sys/seal');
    expect(denied.statusCode).toBe(403);
    expect((await call(t, 'hvs.forged', 'PUT', '/v1/sys/seal')).statusCode).toBe(403);
    const sealed = await call(t, rootToken, 'PUT', '/v1/sys/seal');
    expect(sealed.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/v1/sys/seal-status' })).json()).toMatchObject({ sealed: true, t: 1, n: 1 });
    await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: keys[0] } });
    expect((await call(t, rootToken, 'GET', '/v1/auth/token/lookup-self')).statusCode).toBe(200);
  });
});
