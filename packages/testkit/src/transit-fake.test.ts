import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../test/http-client.js';
import { startTransitFake, type TransitFake } from './transit-fake.js';

let fake: TransitFake;
beforeAll(async () => {
  fake = await startTransitFake({ tokenTtlSeconds: 60 });
  fake.createKey('k');
});
afterAll(() => fake.close());

const post = (path: string, body: unknown, token = fake.token) =>
  request(`${fake.address}/v1/${path}`, { headers: { 'x-vault-token': token }, body });

describe('startTransitFake', () => {
  it("writes Vault's vault:v<N>: ciphertexts and decrypts old versions after rotation", async () => {
    const plaintext = Buffer.from('data key').toString('base64');
    const v1 = (await post('transit/encrypt/k', { plaintext })).json['data'];
    expect(v1).toMatchObject({ ciphertext: expect.stringMatching(/^vault:v1:[A-Za-z0-9+/]+=*$/), key_version: 1 });
    fake.rotateKey('k');
    const v2 = (await post('transit/encrypt/k', { plaintext })).json['data'];
    expect(v2.ciphertext).toMatch(/^vault:v2:/);
    for (const { ciphertext } of [v1, v2]) {
      expect((await post('transit/decrypt/k', { ciphertext })).json['data']).toEqual({ plaintext });
    }
    fake.disableKey('k');
    expect((await post('transit/decrypt/k', { ciphertext: v1.ciphertext })).json).toEqual({
      errors: ['ciphertext or signature version is disallowed by policy (too old)'],
    });
    fake.enableKey('k');
  });

  it("answers Vault's errors: bad token, bad ciphertext, unknown key, sealed", async () => {
    expect((await post('transit/encrypt/k', { plaintext: 'AA==' }, 'hvs.wrong')).json).toEqual({
      errors: ['permission denied'],
    });
    expect((await post('transit/decrypt/k', { ciphertext: 'garbage' })).json).toEqual({
      errors: ['invalid ciphertext: no prefix'],
    });
    expect((await post('transit/decrypt/nope', { ciphertext: 'vault:v1:AAAA' })).json).toEqual({
      errors: ['encryption key not found'],
    });
    fake.seal();
    const sealed = await post('transit/encrypt/k', { plaintext: 'AA==' });
    fake.unseal();
    expect(sealed.status).toBe(503);
    expect(sealed.json).toEqual({ errors: ['Vault is sealed'] });
  });

  it('renews the token with its TTL and counts renewals', async () => {
    const renewed = await post('auth/token/renew-self', {});
    expect(renewed.json['auth']).toMatchObject({ lease_duration: 60, renewable: true });
    await fake.waitForRenewals(1);
  });
});
