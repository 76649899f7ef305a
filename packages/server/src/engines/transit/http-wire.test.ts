import { InMemoryStorage, silentLogger } from '@coffer/sdk';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../core/core.js';
import { buildApp } from '../../http/app.js';
import { engineRegistry } from '../registry.js';
import { createTransitEngine } from './transit-engine.js';

/**
 * The engine behind the real core and HTTP app (ACLs, envelope, error bodies), mounted as `transit`
 * through the API. The transit seal of another Coffer depends on exactly these exchanges.
 */
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('transit over HTTP', () => {
  let app: FastifyInstance;
  let root: string;
  const call = (token: string, method: string, url: string, payload?: unknown) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: { 'x-vault-token': token, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
    });
  const tokenWith = async (policy: string) => {
    await call(root, 'PUT', `/v1/sys/policies/acl/p${policy.length}`, { policy });
    return (await call(root, 'POST', '/v1/auth/token/create', { policies: [`p${policy.length}`] })).json().auth.client_token as string;
  };

  beforeAll(async () => {
    const now = () => new Date();
    const registry = engineRegistry(now);
    const core = new Core({
      physical: new InMemoryStorage(),
      logger: silentLogger,
      now,
      defaultLeaseTtl: 3600,
      maxLeaseTtl: 3600,
      // The real registry plus transit, which the server registers elsewhere.
      registry: (handles) => {
        const base = registry(handles);
        return { ...base, mounts: new Map([...base.mounts, ['transit', createTransitEngine]]) };
      },
      defaultMounts: { mounts: [{ path: 'sys/', type: 'system' }], auth: [{ path: 'token/', type: 'token' }] },
    });
    app = await buildApp({
      core,
      logger: silentLogger,
      info: { version: '1.19.0+coffer.test', buildDate: '2026-01-01T00:00:00Z', storageType: 'inmem' },
      maxRequestSize: 32 * 1024 * 1024,
      maxRequestDuration: 90,
    });
    const init = (await app.inject({ method: 'PUT', url: '/v1/sys/init', payload: { secret_shares: 1, secret_threshold: 1 } })).json();
    await app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: init.keys[0] } });
    root = init.root_token;
    expect((await call(root, 'POST', '/v1/sys/mounts/transit', { type: 'transit' })).statusCode).toBe(204);
  });
  afterAll(async () => app.close());

  it('encrypts and decrypts as the transit seal calls it', async () => {
    const encrypted = await call(root, 'POST', '/v1/transit/encrypt/unseal', { plaintext: b64('root key bytes') });
    expect(encrypted.statusCode).toBe(200);
    const body = encrypted.json();
    expect(body).toMatchObject({ data: { ciphertext: expect.stringMatching(/^vault:v1:[A-Za-z0-9+/]+=*$/), key_version: 1 }, mount_type: 'transit' });
    const decrypted = await call(root, 'PUT', '/v1/transit/decrypt/unseal', { ciphertext: body.data.ciphertext });
    expect(decrypted.statusCode).toBe(200);
    expect(decrypted.json().data).toEqual({ plaintext: b64('root key bytes') });
  });

  it('answers bad ciphertext and missing keys with 400 and Vault\'s messages', async () => {
    await call(root, 'POST', '/v1/transit/keys/k');
    const bad = await call(root, 'POST', '/v1/transit/decrypt/k', { ciphertext: `vault:v1:${Buffer.alloc(40).toString('base64')}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ errors: ['cipher: message authentication failed'] });
    const missing = await call(root, 'POST', '/v1/transit/decrypt/none', { ciphertext: 'vault:v1:AAAA' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({ errors: ['encryption key not found'] });
  });

  it('answers a batch with failed items with 400 and the results in data', async () => {
    const good = (await call(root, 'POST', '/v1/transit/encrypt/k', { plaintext: b64('x') })).json().data.ciphertext;
    const answer = await call(root, 'POST', '/v1/transit/decrypt/k', { batch_input: [{ ciphertext: good }, { ciphertext: 'junk' }] });
    // As Vault: the status says a batch item failed; the body is the normal envelope with every result.
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({
      data: { batch_results: [{ plaintext: b64('x'), reference: '' }, { plaintext: '', error: 'invalid ciphertext: no prefix', reference: '' }] },
      mount_type: 'transit',
    });
    expect(answer.json()).not.toHaveProperty('errors');
    const partial = await call(root, 'POST', '/v1/transit/decrypt/k', {
      batch_input: [{ ciphertext: good }, { ciphertext: 'junk' }],
      partial_failure_response_code: 207,
    });
    expect(partial.statusCode).toBe(207);
  });

  it('lists keys with LIST and ?list=true, and reads key JSON', async () => {
    const listed = await app.inject({ method: 'GET', url: '/v1/transit/keys?list=true', headers: { 'x-vault-token': root } });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().data.keys).toEqual(expect.arrayContaining(['k', 'unseal']));
    const read = await call(root, 'GET', '/v1/transit/keys/k');
    expect(read.json().data).toMatchObject({ name: 'k', type: 'aes256-gcm96', latest_version: 1 });
  });

  it('lets encrypt create a key only with the create capability (the existence check)', async () => {
    const updateOnly = await tokenWith('path "transit/encrypt/*" { capabilities = ["update"] }');
    expect((await call(updateOnly, 'POST', '/v1/transit/encrypt/k', { plaintext: b64('x') })).statusCode).toBe(200);
    expect((await call(updateOnly, 'POST', '/v1/transit/encrypt/brand-new', { plaintext: b64('x') })).statusCode).toBe(403);
    const creator = await tokenWith('path "transit/encrypt/*" { capabilities = ["create", "update"] }');
    expect((await call(creator, 'POST', '/v1/transit/encrypt/brand-new', { plaintext: b64('x') })).statusCode).toBe(200);
  });
});
