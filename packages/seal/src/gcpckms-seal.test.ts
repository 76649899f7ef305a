import { describeSealConformance } from '@coffer/sdk/testing';
import { startGcpKmsFake, type GcpKmsFake } from '@coffer/testkit';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectNoSecrets, rootKey, sealFailure } from '../test/seal-test-helpers.js';
import type { AutoSeal } from './envelope-seal.js';
import { parseGcpCkmsConfig } from './gcpckms-config.js';
import { createGcpCkmsSeal, type GcpCkmsSealOptions } from './gcpckms-seal.js';

let fake: GcpKmsFake;
let keyName: string;
let credentials: string;
const seals: AutoSeal[] = [];

beforeAll(async () => {
  fake = await startGcpKmsFake({ project: 'coffer-test' });
  keyName = fake.createKey({ location: 'europe-west1', keyRing: 'coffer', cryptoKey: 'unseal' });
  credentials = await fake.createServiceAccount();
});
afterAll(async () => {
  await Promise.all(seals.map((s) => s.close()));
  await fake.close();
});

/** An OAuth2Client holding a token the fake issued: the SDK sends it and never looks for ADC. */
function authClient(): NonNullable<GcpCkmsSealOptions['authClient']> {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: fake.issueAccessToken(), expiry_date: Date.now() + 3_600_000 });
  return client;
}

function seal(
  options: Record<string, unknown> = {},
  sealOptions: GcpCkmsSealOptions = { authClient: authClient() },
): AutoSeal {
  const config = parseGcpCkmsConfig({
    project: 'coffer-test',
    region: 'europe-west1',
    key_ring: 'coffer',
    crypto_key: 'unseal',
    endpoint: fake.endpoint,
    ...options,
  });
  const created = createGcpCkmsSeal(config, sealOptions);
  seals.push(created);
  return created;
}

describeSealConformance('gcpckms (Cloud KMS SDK, REST, explicit auth client, against the fake)', async () => seal());
describeSealConformance('gcpckms (service-account credentials file, self-signed JWT)', async () =>
  seal({ credentials }, {}),
);

describe('gcpckms seal', () => {
  it('wraps with :encrypt on the crypto key and records the primary version Cloud KMS reports', async () => {
    const blob = await seal().wrap(rootKey());
    expect(blob).toMatchObject({ type: 'gcpckms', keyId: keyName, keyVersion: '1' });
    const encrypt = fake.requests.filter((r) => r.path.endsWith(':encrypt')).at(-1);
    expect(encrypt?.path).toBe(`/v1/${keyName}:encrypt`);
    expect(Buffer.from(JSON.parse(encrypt?.body ?? '{}').plaintext, 'base64')).toHaveLength(32);
  });

  it('unwraps a blob wrapped before the key rotated, and records the new primary after', async () => {
    const s = seal();
    const old = await s.wrap(rootKey());
    const primary = fake.rotateKey(keyName);
    const fresh = await s.wrap(rootKey());
    expect(fresh.keyVersion).toBe(String(primary));
    expect(old.keyVersion).not.toBe(fresh.keyVersion);
    expect([...(await s.unwrap(old))]).toEqual([...rootKey()]);
    expect([...(await s.unwrap(fresh))]).toEqual([...rootKey()]);
  });

  it('checks the key and reports its primary version', async () => {
    const check = await seal().check();
    expect(check.keyId).toBe(keyName);
    expect(check.keyVersion).toMatch(/^\d+$/);
  });

  it('authenticates with the credentials file (a signed JWT) and sends only loopback requests', async () => {
    await seal({ credentials }, {}).check();
    const last = fake.requests.at(-1);
    expect(last?.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('describes itself without credentials', () => {
    expect(seal({ credentials }, {}).describe()).toEqual({
      type: 'gcpckms',
      project: 'coffer-test',
      region: 'europe-west1',
      key_ring: 'coffer',
      crypto_key: 'unseal',
      endpoint: fake.endpoint,
      credentials: 'credentials file',
    });
  });

  it('refuses a blob wrapped by another crypto key before calling Cloud KMS', async () => {
    const blob = await seal().wrap(rootKey());
    const error = await sealFailure(seal().unwrap({ ...blob, keyId: keyName.replace('unseal', 'other') }));
    expect(error).toMatchObject({ reason: 'key_mismatch' });
  });
});

describe('gcpckms seal errors', () => {
  it('access denied', async () => {
    const s = seal();
    const blob = await s.wrap(rootKey());
    fake.deny();
    try {
      for (const call of [() => s.wrap(rootKey()), () => s.unwrap(blob), () => s.check()]) {
        const error = await sealFailure(call());
        expect(error).toMatchObject({ code: 'upstream', reason: 'access_denied', retryable: false, seal: 'gcpckms' });
        expect(error.message).toMatch(
          /^gcpckms seal: .* with key "projects\/coffer-test\/locations\/europe-west1\/.*" \(http:\/\/127\.0\.0\.1:\d+\) failed: access denied: PERMISSION_DENIED: Permission 'cloudkms\./,
        );
      }
    } finally {
      fake.allow();
    }
  });

  it('key disabled', async () => {
    const s = seal();
    const blob = await s.wrap(rootKey());
    fake.disableKey(keyName);
    try {
      for (const call of [() => s.wrap(rootKey()), () => s.unwrap(blob), () => s.check()]) {
        const error = await sealFailure(call());
        expect(error).toMatchObject({ code: 'upstream', reason: 'key_disabled', retryable: false });
      }
    } finally {
      fake.enableKey(keyName);
    }
  });

  it('key not found, e.g. in another region', async () => {
    const error = await sealFailure(seal({ region: 'us-east1' }).wrap(rootKey()));
    expect(error).toMatchObject({ code: 'upstream', reason: 'key_not_found', retryable: false });
    expect(error.message).toContain('projects/coffer-test/locations/us-east1/keyRings/coffer/cryptoKeys/unseal');
  });

  it('refused credentials', async () => {
    const client = new OAuth2Client();
    client.setCredentials({ access_token: 'not-a-token-the-fake-issued', expiry_date: Date.now() + 3_600_000 });
    const error = await sealFailure(seal({}, { authClient: client }).check());
    expect(error).toMatchObject({ code: 'upstream', reason: 'auth_failed', retryable: false });
    expectNoSecrets(error.message, ['not-a-token-the-fake-issued']);
  });

  it('an unreadable credentials file', async () => {
    const error = await sealFailure(seal({ credentials: '/nonexistent/coffer-gcp.json' }, {}).check());
    expect(error).toMatchObject({ code: 'upstream', reason: 'auth_failed', retryable: false });
    expect(error.message).toContain('cannot read the credentials file (ENOENT)');
  });

  it('application default credentials that cannot load: auth failed, and no unhandled rejection', async () => {
    // ADC reads this variable itself; a missing file fails before any request (and never probes
    // the metadata server, which METADATA_SERVER_DETECTION=none forbids anyway).
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', '/nonexistent/coffer-adc.json');
    try {
      const s = seal({}, {});
      for (let i = 0; i < 2; i++) expect(await sealFailure(s.check())).toMatchObject({ reason: 'auth_failed' });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('Cloud KMS down: retryable unreachable; works again once it is back', async () => {
    const s = seal();
    const blob = await s.wrap(rootKey());
    await fake.down();
    try {
      const error = await sealFailure(s.unwrap(blob));
      expect(error).toMatchObject({ code: 'upstream', reason: 'unreachable', retryable: true });
      expect(error.message).toContain('ECONNREFUSED');
    } finally {
      await fake.up();
    }
    expect([...(await s.unwrap(blob))]).toEqual([...rootKey()]);
  });

  it('a tampered wrapped key is invalid ciphertext', async () => {
    const s = seal();
    const blob = await s.wrap(rootKey());
    const wrapped = Buffer.from(blob.wrappedKey ?? '', 'base64');
    wrapped[wrapped.length - 1] = (wrapped[wrapped.length - 1] ?? 0) ^ 1;
    const error = await sealFailure(s.unwrap({ ...blob, wrappedKey: wrapped.toString('base64') }));
    expect(error).toMatchObject({ code: 'upstream', reason: 'invalid_ciphertext', retryable: false });
    expect(error.message).toContain('INVALID_ARGUMENT: Decryption failed');
  });
});
