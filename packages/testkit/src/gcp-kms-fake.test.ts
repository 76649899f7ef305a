import { createSign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../test/http-client.js';
import { startGcpKmsFake, type GcpKmsFake } from './gcp-kms-fake.js';

let fake: GcpKmsFake;
let name: string;
beforeAll(async () => {
  fake = await startGcpKmsFake();
  name = fake.createKey({ keyRing: 'r', cryptoKey: 'k', location: 'europe-west1' });
});
afterAll(() => fake.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A service-account JWT as google-auth-library signs it for self-signed access. */
async function selfSignedJwt(file: string, exp = Math.floor(Date.now() / 1000) + 600): Promise<string> {
  const account = JSON.parse(await readFile(file, 'utf8')) as {
    private_key: string;
    private_key_id: string;
    client_email: string;
  };
  const enc = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${enc({ alg: 'RS256', typ: 'JWT', kid: account.private_key_id })}.${enc({ iss: account.client_email, sub: account.client_email, exp, iat: exp - 600 })}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(account.private_key, 'base64url')}`;
}

describe('startGcpKmsFake', () => {
  it('encrypts with the primary version, rotates, and still decrypts old ciphertexts', async () => {
    const headers = bearer(fake.issueAccessToken());
    const plaintext = Buffer.from('data key').toString('base64');
    const first = await request(`${fake.endpoint}/v1/${name}:encrypt`, { headers, body: { plaintext } });
    expect(first.json['name']).toBe(`${name}/cryptoKeyVersions/1`);
    expect(fake.rotateKey(name)).toBe(2);
    const second = await request(`${fake.endpoint}/v1/${name}:encrypt`, { headers, body: { plaintext } });
    expect(second.json['name']).toBe(`${name}/cryptoKeyVersions/2`);
    const key = await request(`${fake.endpoint}/v1/${name}`, { headers });
    expect(key.json['primary']).toMatchObject({ name: `${name}/cryptoKeyVersions/2`, state: 1 });
    for (const { json } of [first, second]) {
      const decrypted = await request(`${fake.endpoint}/v1/${name}:decrypt`, {
        headers,
        body: { ciphertext: json['ciphertext'] },
      });
      expect(decrypted.json['plaintext']).toBe(plaintext);
    }
  });

  it('accepts JWTs signed by a service account it made, and nothing else', async () => {
    const file = await fake.createServiceAccount();
    const url = `${fake.endpoint}/v1/${name}`;
    expect((await request(url, { headers: bearer(await selfSignedJwt(file)) })).status).toBe(200);
    expect((await request(url, { headers: bearer(await selfSignedJwt(file, 1)) })).status).toBe(401);
    const [head, body] = (await selfSignedJwt(file)).split('.');
    expect((await request(url, { headers: bearer(`${head}.${body}.AAAA`) })).json['error'].status).toBe(
      'UNAUTHENTICATED',
    );
    expect((await request(url)).status).toBe(401);
    const grant = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: await selfSignedJwt(file),
    });
    const exchanged = await request(`${fake.endpoint}/token`, {
      body: grant.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect((await request(url, { headers: bearer(exchanged.json['access_token']) })).status).toBe(200);
  });

  it("answers with Google's error bodies", async () => {
    const headers = bearer(fake.issueAccessToken());
    const missing = await request(`${fake.endpoint}/v1/${name.replace('/k', '/nope')}:encrypt`, {
      headers,
      body: { plaintext: 'AA==' },
    });
    expect(missing.json['error']).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    const bad = await request(`${fake.endpoint}/v1/${name}:decrypt`, { headers, body: { ciphertext: 'AAAA' } });
    expect(bad.json['error']).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    fake.disableKey(name);
    const disabled = await request(`${fake.endpoint}/v1/${name}:encrypt`, { headers, body: { plaintext: 'AA==' } });
    expect(disabled.json['error']).toMatchObject({ status: 'FAILED_PRECONDITION' });
    fake.enableKey(name);
    fake.deny();
    const denied = await request(`${fake.endpoint}/v1/${name}:encrypt`, { headers, body: { plaintext: 'AA==' } });
    expect(denied.json['error']).toMatchObject({ code: 403, status: 'PERMISSION_DENIED' });
    fake.allow();
  });
});
