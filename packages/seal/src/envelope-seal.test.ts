import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SealedBlob } from '@coffer/sdk';
import { describeSealConformance } from '@coffer/sdk/testing';
import { describe, expect, it } from 'vitest';
import { aad, rootKey, sealFailure } from '../test/seal-test-helpers.js';
import { createEnvelopeSeal, type KeyWrapper } from './envelope-seal.js';
import { SealError } from './seal-error.js';

/**
 * A KeyWrapper over a local AES key: exercises the envelope logic (blob format, AAD, checks) with
 * no KMS. The KMS seals run the same logic against their fakes in their own tests.
 */
function localWrapper(seen: Buffer[] = []): KeyWrapper {
  const kek = randomBytes(32);
  return {
    type: 'local',
    describe: () => ({ type: 'local' }),
    async wrapKey(dataKey) {
      seen.push(Buffer.from(dataKey));
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', kek, iv);
      const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
      return { keyId: 'local-key', keyVersion: '7', wrappedKey: Buffer.concat([iv, body, cipher.getAuthTag()]) };
    },
    async unwrapKey(wrapped) {
      const decipher = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(0, 12));
      decipher.setAuthTag(wrapped.subarray(wrapped.length - 16));
      return Buffer.concat([decipher.update(wrapped.subarray(12, wrapped.length - 16)), decipher.final()]);
    },
    check: async () => ({ keyId: 'local-key', keyVersion: '7' }),
  };
}

describeSealConformance('envelope seal over a local key wrapper', async () => createEnvelopeSeal(localWrapper()));

describe('createEnvelopeSeal', () => {
  it('gives the KMS a fresh 32-byte data key per wrap, never the plaintext', async () => {
    const seen: Buffer[] = [];
    const seal = createEnvelopeSeal(localWrapper(seen));
    const a = await seal.wrap(rootKey());
    const b = await seal.wrap(rootKey());
    expect(seen.map((k) => k.length)).toEqual([32, 32]);
    expect(seen[0]?.equals(seen[1] as Buffer)).toBe(false);
    expect(seen.some((k) => k.equals(Buffer.from(rootKey())))).toBe(false);
    expect(a).toMatchObject({ version: 1, type: 'local', keyId: 'local-key', keyVersion: '7' });
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
  });

  it('reports malformed blobs as internal errors naming the seal', async () => {
    const seal = createEnvelopeSeal(localWrapper());
    const good = await seal.wrap(rootKey(), { aad });
    const bad: unknown[] = [
      null,
      { ...good, version: 2 },
      { ...good, type: 'awskms' },
      { ...good, keyId: '' },
      { ...good, keyVersion: 7 },
      { ...good, ciphertext: 'not base64!' },
      { ...good, ciphertext: Buffer.alloc(20).toString('base64') },
      { ...good, wrappedKey: undefined },
    ];
    for (const blob of bad) {
      const error = await sealFailure(seal.unwrap(blob as SealedBlob, { aad }));
      expect(error).toMatchObject({ code: 'internal', reason: 'malformed', seal: 'local' });
      expect(error.message).toMatch(/^local seal: sealed blob is malformed: /);
    }
  });

  it('refuses other AAD as tampering, an internal error', async () => {
    const seal = createEnvelopeSeal(localWrapper());
    const blob = await seal.wrap(rootKey(), { aad });
    const error = await sealFailure(seal.unwrap(blob));
    expect(error).toMatchObject({ code: 'internal', reason: 'tampered', retryable: false });
  });

  it('refuses a data key of the wrong size from the KMS', async () => {
    const wrapper = localWrapper();
    const seal = createEnvelopeSeal({ ...wrapper, unwrapKey: async () => new Uint8Array(16) });
    const error = await sealFailure(seal.unwrap(await seal.wrap(rootKey())));
    expect(error).toMatchObject({ reason: 'invalid_ciphertext', code: 'upstream' });
  });

  it('turns unexpected client failures into an unknown upstream error without their message', async () => {
    const wrapper = localWrapper();
    const seal = createEnvelopeSeal({
      ...wrapper,
      wrapKey: async () => {
        throw new TypeError('Authorization: Bearer secret-token-in-a-message');
      },
    });
    const error = await sealFailure(seal.wrap(rootKey()));
    expect(error).toMatchObject({ reason: 'unknown', code: 'upstream' });
    expect(error.message).toBe('local seal: unexpected TypeError from the KMS client');
  });

  it('lets an abort through as it is', async () => {
    const seal = createEnvelopeSeal(localWrapper());
    const controller = new AbortController();
    controller.abort(new Error('stopping'));
    await expect(seal.wrap(rootKey(), { signal: controller.signal })).rejects.toThrow('stopping');
    const blob = await seal.wrap(rootKey());
    const error: unknown = await seal.unwrap(blob, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(SealError);
  });
});
