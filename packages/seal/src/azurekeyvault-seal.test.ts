import { describeSealConformance } from '@coffer/sdk/testing';
import { startAzureKeyVaultFake, type AzureKeyVaultFake } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecrets, rootKey, sealFailure } from '../test/seal-test-helpers.js';
import { parseAzureKeyVaultConfig } from './azurekeyvault-config.js';
import { createAzureKeyVaultSeal } from './azurekeyvault-seal.js';
import type { AutoSeal } from './envelope-seal.js';

let fake: AzureKeyVaultFake;
let firstVersion: string;
const seals: AutoSeal[] = [];

beforeAll(async () => {
  fake = await startAzureKeyVaultFake();
  firstVersion = await fake.createKey('coffer-unseal');
});
afterAll(async () => {
  await Promise.all(seals.map((s) => s.close()));
  await fake.close();
});

async function seal(options: Record<string, unknown> = {}): Promise<AutoSeal> {
  const config = parseAzureKeyVaultConfig({
    tenant_id: fake.tenantId,
    client_id: fake.clientId,
    client_secret: fake.clientSecret,
    key_name: 'coffer-unseal',
    vault_url: fake.vaultUrl,
    authority_host: fake.authorityHost,
    tls_ca_cert: fake.caFile,
    ...options,
  });
  const created = await createAzureKeyVaultSeal(config);
  seals.push(created);
  return created;
}

describeSealConformance('azurekeyvault (Azure SDK against the Key Vault fake over https)', () => seal());

describe('azurekeyvault seal', () => {
  it('gets a token with the client secret, answers the challenge, and wraps with RSA-OAEP-256', async () => {
    const s = await seal();
    const blob = await s.wrap(rootKey());
    expect(blob).toMatchObject({ type: 'azurekeyvault', keyId: `${fake.vaultUrl}/keys/coffer-unseal` });
    expect(blob.keyVersion).toMatch(/^[0-9a-f]{32}$/);
    const wrap = fake.requests.filter((r) => r.path.endsWith('/wrapkey')).at(-1);
    expect(JSON.parse(wrap?.body ?? '{}').alg).toBe('RSA-OAEP-256');
    expect(wrap?.headers.authorization).toMatch(/^Bearer /);
    expect(fake.requests.some((r) => r.path === `/${fake.tenantId}/oauth2/v2.0/token`)).toBe(true);
  });

  it('unwraps with the version recorded in the blob after the key rotated', async () => {
    const s = await seal();
    const old = await s.wrap(rootKey());
    const newVersion = await fake.rotateKey('coffer-unseal');
    const fresh = await s.wrap(rootKey());
    expect(fresh.keyVersion).toBe(newVersion);
    expect(old.keyVersion).not.toBe(newVersion);
    expect([...(await s.unwrap(old))]).toEqual([...rootKey()]);
    expect(fake.requests.at(-1)?.path).toBe(`/keys/coffer-unseal/${old.keyVersion}/unwrapkey`);
    expect([...(await s.unwrap(fresh))]).toEqual([...rootKey()]);
  });

  it('checks the key and reports its latest version', async () => {
    const check = await (await seal()).check();
    expect(check.keyId).toBe(`${fake.vaultUrl}/keys/coffer-unseal`);
    expect(check.keyVersion).toMatch(/^[0-9a-f]{32}$/);
    expect(firstVersion).toMatch(/^[0-9a-f]{32}$/);
  });

  it('describes itself without the client secret', async () => {
    const description = (await seal()).describe();
    expect(description).toEqual({
      type: 'azurekeyvault',
      vault_url: fake.vaultUrl,
      key_name: 'coffer-unseal',
      environment: 'AzurePublicCloud',
      credentials: 'client secret',
    });
    expectNoSecrets(JSON.stringify(description), [fake.clientSecret]);
  });

  it('refuses a blob wrapped by another key before calling Key Vault', async () => {
    const s = await seal();
    const blob = await s.wrap(rootKey());
    const error = await sealFailure(s.unwrap({ ...blob, keyId: `${fake.vaultUrl}/keys/other-key` }));
    expect(error).toMatchObject({ reason: 'key_mismatch', code: 'upstream' });
  });
});

describe('azurekeyvault seal errors', () => {
  it('access denied', async () => {
    const s = await seal();
    const blob = await s.wrap(rootKey());
    fake.deny();
    try {
      for (const call of [() => s.wrap(rootKey()), () => s.unwrap(blob), () => s.check()]) {
        const error = await sealFailure(call());
        expect(error).toMatchObject({
          code: 'upstream',
          reason: 'access_denied',
          retryable: false,
          seal: 'azurekeyvault',
        });
        expect(error.message).toMatch(
          /^azurekeyvault seal: .* with key "coffer-unseal.*" \(https:\/\/127\.0\.0\.1:\d+\) failed: access denied: 403 Forbidden: Caller is not authorized/,
        );
        expectNoSecrets(error.message, [fake.clientSecret]);
      }
    } finally {
      fake.allow();
    }
  });

  it('key disabled', async () => {
    const s = await seal();
    const blob = await s.wrap(rootKey());
    fake.disableKey('coffer-unseal');
    try {
      for (const call of [() => s.wrap(rootKey()), () => s.unwrap(blob), () => s.check()]) {
        const error = await sealFailure(call());
        expect(error).toMatchObject({ code: 'upstream', reason: 'key_disabled', retryable: false });
      }
    } finally {
      fake.enableKey('coffer-unseal');
    }
  });

  it('key not found', async () => {
    const error = await sealFailure((await seal({ key_name: 'no-such-key' })).wrap(rootKey()));
    expect(error).toMatchObject({ code: 'upstream', reason: 'key_not_found', retryable: false });
    expect(error.message).toContain('A key with (name/id) no-such-key was not found');
  });

  it('wrong client secret: Entra ID refuses it, and the message does not carry it', async () => {
    const error = await sealFailure((await seal({ client_secret: 'not-the-secret-0123456789' })).wrap(rootKey()));
    expect(error).toMatchObject({ code: 'upstream', reason: 'auth_failed', retryable: false });
    expect(error.message).toContain('AADSTS7000215');
    expectNoSecrets(error.message, ['not-the-secret-0123456789', fake.clientSecret]);
  });

  it('Key Vault down: retryable unreachable; works again once it is back', async () => {
    const s = await seal();
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

  it('an untrusted server certificate is unreachable, not silently accepted', async () => {
    const config = parseAzureKeyVaultConfig({ ...base(), tls_ca_cert: undefined });
    const s = await createAzureKeyVaultSeal(config);
    seals.push(s);
    const error = await sealFailure(s.check());
    expect(error).toMatchObject({ reason: 'unreachable', retryable: true });
    expect(error.message).toContain('check the server certificate and "tls_ca_cert"');
  });

  it('a tampered wrapped key is refused as invalid ciphertext', async () => {
    const s = await seal();
    const blob = await s.wrap(rootKey());
    const wrapped = Buffer.from(blob.wrappedKey ?? '', 'base64');
    wrapped[0] = (wrapped[0] ?? 0) ^ 1;
    const error = await sealFailure(s.unwrap({ ...blob, wrappedKey: wrapped.toString('base64') }));
    expect(error).toMatchObject({ code: 'upstream', reason: 'invalid_ciphertext', retryable: false });
  });

  it('an unknown key version is not found', async () => {
    const s = await seal();
    const blob = await s.wrap(rootKey());
    const error = await sealFailure(s.unwrap({ ...blob, keyVersion: '0'.repeat(32) }));
    expect(error).toMatchObject({ reason: 'key_not_found' });
  });
});

function base(): Record<string, unknown> {
  return {
    tenant_id: fake.tenantId,
    client_id: fake.clientId,
    client_secret: fake.clientSecret,
    key_name: 'coffer-unseal',
    vault_url: fake.vaultUrl,
    authority_host: fake.authorityHost,
  };
}
