import type { Logger } from '@coffer/sdk';
import { describeSealConformance } from '@coffer/sdk/testing';
import { createTestCertificates, startTransitFake, type TestCertificates, type TransitFake } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecrets, rootKey, sealFailure } from '../test/seal-test-helpers.js';
import type { AutoSeal } from './envelope-seal.js';
import { parseTransitSealConfig } from './transit-config.js';
import { createTransitSeal } from './transit-seal.js';

let fake: TransitFake;
const fakes: TransitFake[] = [];
const seals: AutoSeal[] = [];

beforeAll(async () => {
  fake = await startTransitFake({ mountPath: 'kms/transit' });
  fake.createKey('coffer-unseal');
  fakes.push(fake);
});
afterAll(async () => {
  await Promise.all(seals.map((s) => s.close()));
  await Promise.all(fakes.map((f) => f.close()));
});

async function seal(options: Record<string, unknown> = {}, on: TransitFake = fake, logger?: Logger): Promise<AutoSeal> {
  const config = parseTransitSealConfig({
    address: on.address,
    token: on.token,
    key_name: 'coffer-unseal',
    mount_path: `${on.mountPath}/`,
    disable_renewal: 'true',
    ...options,
  });
  const created = await createTransitSeal(config, logger ? { logger } : {});
  seals.push(created);
  return created;
}

async function otherFake(options: Parameters<typeof startTransitFake>[0] = {}): Promise<TransitFake> {
  const started = await startTransitFake(options);
  started.createKey('coffer-unseal');
  fakes.push(started);
  return started;
}

describeSealConformance('transit (against the transit wire-format fake)', () => seal());

describe('transit seal', () => {
  it('wraps the data key through POST /v1/<mount>/encrypt/<key> and records the vault:v<N> version', async () => {
    const blob = await (await seal({ namespace: 'team-a' })).wrap(rootKey());
    expect(blob).toMatchObject({ type: 'transit', keyId: 'coffer-unseal', keyVersion: '1' });
    expect(Buffer.from(blob.wrappedKey ?? '', 'base64').toString('utf8')).toMatch(/^vault:v1:[A-Za-z0-9+/]+=*$/);
    const request = fake.requests.at(-1);
    expect(request?.path).toBe('/v1/kms/transit/encrypt/coffer-unseal');
    expect(request?.headers['x-vault-token']).toBe(fake.token);
    expect(request?.headers['x-vault-namespace']).toBe('team-a');
    expect(Buffer.from(JSON.parse(request?.body ?? '{}').plaintext, 'base64')).toHaveLength(32);
  });

  it('unwraps a blob wrapped before the key rotated twice', async () => {
    const s = await seal();
    const old = await s.wrap(rootKey());
    fake.rotateKey('coffer-unseal');
    fake.rotateKey('coffer-unseal');
    const fresh = await s.wrap(rootKey());
    expect(Number(fresh.keyVersion)).toBe(Number(old.keyVersion) + 2);
    expect([...(await s.unwrap(old))]).toEqual([...rootKey()]);
    expect([...(await s.unwrap(fresh))]).toEqual([...rootKey()]);
  });

  it('checks the key by encrypting a probe, as Vault does', async () => {
    expect(await (await seal()).check()).toEqual({
      keyId: 'coffer-unseal',
      keyVersion: expect.stringMatching(/^\d+$/),
    });
  });

  it('renews its token at once and then periodically', async () => {
    const shortLived = await otherFake({ tokenTtlSeconds: 1 });
    await seal({ disable_renewal: 'false' }, shortLived);
    await shortLived.waitForRenewals(2);
    expect(shortLived.requests.find((r) => r.path === '/v1/auth/token/renew-self')?.headers['x-vault-token']).toBe(
      shortLived.token,
    );
  });

  it('does not renew with disable_renewal', async () => {
    const quiet = await otherFake();
    await (await seal({}, quiet)).wrap(rootKey());
    expect(quiet.requests.map((r) => r.path)).toEqual(['/v1/transit/encrypt/coffer-unseal']);
  });

  it('stops renewing, with a warning, when the token may not renew itself', async () => {
    const strict = await otherFake();
    strict.deny();
    const warned = new Promise<string>((resolve) => {
      const logger: Logger = { ...silentLogger(), warn: (...args: unknown[]) => resolve(String(args.at(-1))) };
      void seal({ disable_renewal: 'false' }, strict, logger);
    });
    const message = await warned;
    expect(message).toBe('transit seal: the token may not renew itself; renewal stopped');
    expectNoSecrets(message, [strict.token]);
  });

  it('talks https with the CA from tls_ca_cert, and refuses an unknown CA unless told to skip verification', async () => {
    const certificates: TestCertificates = await createTestCertificates();
    const secure = await otherFake({ certificates });
    const trusted = await seal({ tls_ca_cert: certificates.caFile }, secure);
    expect([...(await trusted.unwrap(await trusted.wrap(rootKey())))]).toEqual([...rootKey()]);
    const untrusted = await sealFailure((await seal({}, secure)).check());
    expect(untrusted).toMatchObject({ reason: 'unreachable', retryable: true });
    await (await seal({ tls_skip_verify: 'true' }, secure)).check();
  });

  it('describes itself without the token', async () => {
    const description = (await seal()).describe();
    expect(description).toEqual({
      type: 'transit',
      address: fake.address,
      mount_path: 'kms/transit/',
      key_name: 'coffer-unseal',
      token_renewal: 'disabled',
    });
    expectNoSecrets(JSON.stringify(description), [fake.token]);
  });
});

describe('transit seal errors', () => {
  it('access denied (a token without the policy, or expired)', async () => {
    const s = await seal();
    const blob = await s.wrap(rootKey());
    fake.deny();
    try {
      for (const call of [() => s.wrap(rootKey()), () => s.unwrap(blob), () => s.check()]) {
        const error = await sealFailure(call());
        expect(error).toMatchObject({ code: 'upstream', reason: 'access_denied', retryable: false, seal: 'transit' });
        expect(error.message).toMatch(
          /^transit seal: (encrypt|decrypt) with key "coffer-unseal" \(http:\/\/127\.0\.0\.1:\d+\/v1\/kms\/transit\/\) failed: access denied: HTTP 403: permission denied$/,
        );
        expectNoSecrets(error.message, [fake.token]);
      }
    } finally {
      fake.allow();
    }
  });

  it('key disabled (min_decryption_version past the blob)', async () => {
    const s = await seal();
    const blob = await s.wrap(rootKey());
    fake.disableKey('coffer-unseal');
    try {
      const error = await sealFailure(s.unwrap(blob));
      expect(error).toMatchObject({ code: 'upstream', reason: 'key_disabled', retryable: false });
      expect(error.message).toContain('disallowed by policy');
    } finally {
      fake.enableKey('coffer-unseal');
    }
  });

  it('key not found', async () => {
    const error = await sealFailure((await seal({ key_name: 'no-such-key' })).wrap(rootKey()));
    expect(error).toMatchObject({ code: 'upstream', reason: 'key_not_found', retryable: false });
    expect(error.message).toContain('encryption key not found');
  });

  it('wrong mount path', async () => {
    const error = await sealFailure((await seal({ mount_path: 'nothing-here/' })).wrap(rootKey()));
    expect(error).toMatchObject({ reason: 'key_not_found' });
  });

  it('upstream sealed: retryable unavailable', async () => {
    const s = await seal();
    fake.seal();
    try {
      const error = await sealFailure(s.wrap(rootKey()));
      expect(error).toMatchObject({ code: 'upstream', reason: 'unavailable', retryable: true });
      expect(error.message).toContain('HTTP 503: Vault is sealed');
    } finally {
      fake.unseal();
    }
  });

  it('transit server down: retryable unreachable; works again once it is back', async () => {
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

  it('a tampered wrapped key is invalid ciphertext', async () => {
    const s = await seal();
    const blob = await s.wrap(rootKey());
    const [prefix, version, body] = Buffer.from(blob.wrappedKey ?? '', 'base64')
      .toString('utf8')
      .split(':') as [string, string, string];
    const raw = Buffer.from(body, 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    const wrappedKey = Buffer.from(`${prefix}:${version}:${raw.toString('base64')}`).toString('base64');
    const error = await sealFailure(s.unwrap({ ...blob, wrappedKey }));
    expect(error).toMatchObject({ code: 'upstream', reason: 'invalid_ciphertext', retryable: false });
  });

  it('a blob of another transit key is refused before calling the server', async () => {
    const s = await seal();
    const blob = await s.wrap(rootKey());
    const error = await sealFailure(s.unwrap({ ...blob, keyId: 'other-key' }));
    expect(error).toMatchObject({ reason: 'key_mismatch' });
  });
});

function silentLogger(): Logger {
  const noop = () => {};
  const logger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => logger };
  return logger;
}
