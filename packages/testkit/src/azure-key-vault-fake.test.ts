import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../test/http-client.js';
import { startAzureKeyVaultFake, type AzureKeyVaultFake } from './azure-key-vault-fake.js';

let fake: AzureKeyVaultFake;
let ca: string;
beforeAll(async () => {
  fake = await startAzureKeyVaultFake();
  ca = await readFile(fake.caFile, 'utf8');
  await fake.createKey('k1');
});
afterAll(() => fake.close());

async function token(secret = fake.clientSecret) {
  const body = new URLSearchParams({
    client_id: fake.clientId,
    client_secret: secret,
    grant_type: 'client_credentials',
    scope: 'https://vault.azure.net/.default',
  });
  return request(`${fake.authorityHost}/${fake.tenantId}/oauth2/v2.0/token`, {
    body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    ca,
  });
}

describe('startAzureKeyVaultFake', () => {
  it('serves https under a test CA on 127.0.0.1 and challenges requests without a token', async () => {
    expect(fake.vaultUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const reply = await request(`${fake.vaultUrl}/keys/k1?api-version=2025-07-01`, { ca });
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBe(
      `Bearer authorization="${fake.authorityHost}/${fake.tenantId}", resource="https://vault.azure.net"`,
    );
  });

  it('issues tokens for the right client secret only', async () => {
    expect((await token()).json).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
    const refused = await token('wrong');
    expect(refused.status).toBe(401);
    expect(refused.json['error']).toBe('invalid_client');
  });

  it('wraps remotely with RSA-OAEP-256 and unwraps what the public key wrapped, per version', async () => {
    const auth = { authorization: `Bearer ${(await token()).json['access_token']}` };
    const key = await request(`${fake.vaultUrl}/keys/k1/`, { headers: auth, ca });
    const kid: string = key.json['key'].kid;
    const publicKey = createPublicKey({
      key: { kty: 'RSA', n: key.json['key'].n, e: key.json['key'].e },
      format: 'jwk',
    });
    const secret = randomBytes(32);
    const wrapped = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      secret,
    );
    const version = kid.split('/').pop();
    await fake.rotateKey('k1');
    const unwrapped = await request(`${fake.vaultUrl}/keys/k1/${version}/unwrapkey`, {
      headers: auth,
      body: { alg: 'RSA-OAEP-256', value: wrapped.toString('base64url') },
      ca,
    });
    expect(Buffer.from(unwrapped.json['value'], 'base64url').equals(secret)).toBe(true);
    const latest = await request(`${fake.vaultUrl}/keys/k1//wrapkey`, {
      headers: auth,
      body: { alg: 'RSA-OAEP-256', value: secret.toString('base64url') },
      ca,
    });
    expect(latest.json['kid']).not.toBe(kid);
  });

  it("answers with Key Vault's error bodies", async () => {
    const auth = { authorization: `Bearer ${(await token()).json['access_token']}` };
    expect((await request(`${fake.vaultUrl}/keys/missing`, { headers: auth, ca })).json['error'].code).toBe(
      'KeyNotFound',
    );
    fake.disableKey('k1');
    const disabled = await request(`${fake.vaultUrl}/keys/k1`, { headers: auth, ca });
    expect(disabled.status).toBe(403);
    expect(disabled.json['error'].innererror.code).toBe('KeyDisabled');
    fake.enableKey('k1');
    fake.deny();
    expect((await request(`${fake.vaultUrl}/keys/k1`, { headers: auth, ca })).json['error'].innererror.code).toBe(
      'ForbiddenByRbac',
    );
    fake.allow();
  });
});
