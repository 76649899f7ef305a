import { describeSealConformance } from '@coffer/sdk/testing';
import { startAwsKmsFake, type AwsKmsFake } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecrets, rootKey, sealFailure } from '../test/seal-test-helpers.js';
import { parseAwsKmsConfig } from './awskms-config.js';
import { createAwsKmsSeal } from './awskms-seal.js';
import type { AutoSeal } from './envelope-seal.js';

let fake: AwsKmsFake;
let arn: string;
const seals: AutoSeal[] = [];

beforeAll(async () => {
  fake = await startAwsKmsFake({ region: 'eu-west-1' });
  arn = fake.createKey({ alias: 'alias/coffer-unseal' }).arn;
});
afterAll(async () => {
  await Promise.all(seals.map((s) => s.close()));
  await fake.close();
});

function seal(options: Record<string, unknown> = {}): AutoSeal {
  const config = parseAwsKmsConfig({
    region: 'eu-west-1',
    kms_key_id: 'alias/coffer-unseal',
    endpoint: fake.endpoint,
    access_key: fake.accessKeyId,
    secret_key: fake.secretAccessKey,
    ...options,
  });
  const created = createAwsKmsSeal(config);
  seals.push(created);
  return created;
}

describeSealConformance('awskms (AWS SDK against the KMS fake)', async () => seal());

describe('awskms seal', () => {
  it('wraps the data key with Encrypt and records the key ARN that AWS reports for the alias', async () => {
    const blob = await seal().wrap(rootKey());
    expect(blob).toMatchObject({ version: 1, type: 'awskms', keyId: arn });
    expect(blob.keyVersion).toBeUndefined();
    expect(Buffer.from(blob.wrappedKey ?? '', 'base64').length).toBeGreaterThan(32);
    const encrypt = fake.calls('Encrypt').at(-1);
    expect(JSON.parse(encrypt?.body ?? '{}')).toMatchObject({ KeyId: 'alias/coffer-unseal' });
    // The KMS only ever sees the 32-byte data key, never the plaintext.
    expect(Buffer.from(JSON.parse(encrypt?.body ?? '{}').Plaintext, 'base64')).toHaveLength(32);
  });

  it('names the recorded key ARN when decrypting', async () => {
    const s = seal();
    await s.unwrap(await s.wrap(rootKey()));
    expect(JSON.parse(fake.calls('Decrypt').at(-1)?.body ?? '{}')).toMatchObject({ KeyId: arn });
  });

  it('unwraps a blob wrapped before the key rotated', async () => {
    const s = seal();
    const old = await s.wrap(rootKey());
    fake.rotateKey(arn);
    const fresh = await s.wrap(rootKey());
    expect([...(await s.unwrap(old))]).toEqual([...rootKey()]);
    expect([...(await s.unwrap(fresh))]).toEqual([...rootKey()]);
  });

  it('checks the key with DescribeKey and reports its ARN', async () => {
    expect(await seal().check()).toEqual({ keyId: arn });
  });

  it('describes itself without credentials', () => {
    const description = seal({ session_token: 'FQoGZXIvYXdzEXAMPLETOKEN' }).describe();
    expect(description).toEqual({
      type: 'awskms',
      kms_key_id: 'alias/coffer-unseal',
      region: 'eu-west-1',
      endpoint: fake.endpoint,
      credentials: 'static',
    });
    expectNoSecrets(JSON.stringify(description), [fake.secretAccessKey, 'FQoGZXIvYXdzEXAMPLETOKEN']);
  });
});

describe('awskms seal errors', () => {
  it('access denied: a non-retryable upstream error naming the key and what AWS said', async () => {
    const s = seal();
    const blob = await s.wrap(rootKey());
    fake.deny();
    try {
      for (const call of [() => s.wrap(rootKey()), () => s.unwrap(blob), () => s.check()]) {
        const error = await sealFailure(call());
        expect(error).toMatchObject({ code: 'upstream', reason: 'access_denied', retryable: false, seal: 'awskms' });
        expect(error.message).toMatch(
          /^awskms seal: .* with key ".*" \(eu-west-1 at http:\/\/127\.0\.0\.1:\d+\) failed: access denied: AccessDeniedException: .*not authorized/,
        );
        expectNoSecrets(error.message, [fake.secretAccessKey, rootKey()]);
      }
    } finally {
      fake.allow();
    }
  });

  it('key disabled', async () => {
    const s = seal();
    const blob = await s.wrap(rootKey());
    fake.disableKey(arn);
    try {
      for (const call of [() => s.wrap(rootKey()), () => s.unwrap(blob), () => s.check()]) {
        const error = await sealFailure(call());
        expect(error).toMatchObject({ code: 'upstream', reason: 'key_disabled', retryable: false });
        expect(error.message).toContain('the key is disabled');
      }
    } finally {
      fake.enableKey(arn);
    }
  });

  it('key not found', async () => {
    const error = await sealFailure(seal({ kms_key_id: 'alias/no-such-key' }).wrap(rootKey()));
    expect(error).toMatchObject({ code: 'upstream', reason: 'key_not_found', retryable: false });
    expect(error.message).toContain('with key "alias/no-such-key"');
    expect(error.message).toContain(
      'NotFoundException: Alias arn:aws:kms:eu-west-1:111122223333:alias/no-such-key is not found.',
    );
  });

  it('wrong region: AWS refuses the signature scope', async () => {
    const error = await sealFailure(seal({ region: 'us-west-2' }).check());
    expect(error).toMatchObject({ code: 'upstream', reason: 'wrong_region', retryable: false });
    expect(error.message).toContain('(us-west-2 at http://127.0.0.1:');
  });

  it('wrong secret key: the credentials are refused, and the message does not carry them', async () => {
    const error = await sealFailure(seal({ secret_key: 'wrong-secret-key-0123456789' }).wrap(rootKey()));
    expect(error).toMatchObject({ code: 'upstream', reason: 'auth_failed', retryable: false });
    expectNoSecrets(error.message, ['wrong-secret-key-0123456789', fake.secretAccessKey]);
  });

  it('KMS down: a retryable unreachable error; works again once it is back', async () => {
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

  it('a tampered wrapped key is invalid ciphertext to AWS', async () => {
    const s = seal();
    const blob = await s.wrap(rootKey());
    const wrapped = Buffer.from(blob.wrappedKey ?? '', 'base64');
    wrapped[wrapped.length - 1] = (wrapped[wrapped.length - 1] ?? 0) ^ 1;
    const error = await sealFailure(s.unwrap({ ...blob, wrappedKey: wrapped.toString('base64') }));
    expect(error).toMatchObject({ code: 'upstream', reason: 'invalid_ciphertext', retryable: false });
  });

  it('a tampered payload is caught locally, as an internal error', async () => {
    const s = seal();
    const blob = await s.wrap(rootKey());
    const payload = Buffer.from(blob.ciphertext, 'base64');
    payload[20] = (payload[20] ?? 0) ^ 1;
    const error = await sealFailure(s.unwrap({ ...blob, ciphertext: payload.toString('base64') }));
    expect(error).toMatchObject({ code: 'internal', reason: 'tampered', retryable: false });
  });

  it('a blob wrapped by another key is refused by AWS as the wrong key', async () => {
    const other = fake.createKey();
    const blob = await seal({ kms_key_id: other.keyId }).wrap(rootKey());
    const error = await sealFailure(seal().unwrap({ ...blob, keyId: arn }));
    expect(error).toMatchObject({ code: 'upstream', reason: 'key_mismatch' });
  });
});
