import { CofferError, type SealedBlob } from '@coffer/sdk';
import { describeSealConformance } from '@coffer/sdk/testing';
import { describe, expect, it } from 'vitest';
import { combineShares, splitKey } from './shamir.js';
import { createShamirSeal, generateKey } from './shamir-seal.js';

describeSealConformance('shamir', async () => createShamirSeal(generateKey()));

const rootKey = () => Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const aad = new TextEncoder().encode('core/sealed-root-key');

async function failure(promise: Promise<unknown>): Promise<CofferError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CofferError);
  return error as CofferError;
}

describe('createShamirSeal', () => {
  it('is a manual (non-auto) seal of type shamir', () => {
    const seal = createShamirSeal(generateKey());
    expect(seal.type).toBe('shamir');
    expect(seal.autoUnseal).toBe(false);
  });

  it('writes a versioned blob: base64 of a 96-bit nonce, the ciphertext and a 128-bit tag', async () => {
    const blob = await createShamirSeal(generateKey()).wrap(rootKey());
    expect(Object.keys(blob).sort()).toEqual(['ciphertext', 'keyId', 'type', 'version']);
    expect(blob).toMatchObject({ version: 1, type: 'shamir', keyId: 'shamir' });
    expect(Buffer.from(blob.ciphertext, 'base64')).toHaveLength(12 + 32 + 16);
  });

  it('unwraps with a KEK rebuilt from a quorum of shares, and not from fewer', async () => {
    const kek = generateKey();
    const shares = await splitKey(kek, 5, 3);
    const blob = await createShamirSeal(kek).wrap(rootKey(), { aad });

    const quorum = createShamirSeal(await combineShares([shares[4]!, shares[0]!, shares[2]!]));
    expect([...(await quorum.unwrap(blob, { aad }))]).toEqual([...rootKey()]);

    const short = createShamirSeal(await combineShares(shares.slice(0, 2)));
    const error = await failure(short.unwrap(blob, { aad }));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe('unseal failed: the combined key shares do not decrypt the root key');
  });

  it('never puts key material in its error messages', async () => {
    const right = generateKey();
    const wrong = generateKey();
    const blob = await createShamirSeal(right).wrap(rootKey());
    const { message } = await failure(createShamirSeal(wrong).unwrap(blob));
    for (const key of [right, wrong, rootKey()]) {
      expect(message).not.toContain(Buffer.from(key).toString('hex'));
      expect(message).not.toContain(Buffer.from(key).toString('base64'));
    }
  });

  it('keeps its own copy of the KEK, so the caller can zero it at once', async () => {
    const kek = generateKey();
    const seal = createShamirSeal(kek);
    kek.fill(0);
    const blob = await seal.wrap(rootKey());
    expect([...(await seal.unwrap(blob))]).toEqual([...rootKey()]);
    await failure(createShamirSeal(kek).unwrap(blob));
  });

  it('refuses a KEK that is not 32 bytes, as operator input', async () => {
    for (const length of [0, 16, 31, 33]) {
      let error: unknown;
      try {
        createShamirSeal(new Uint8Array(length));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CofferError);
      expect((error as CofferError).code).toBe('invalid_request');
    }
  });

  it('reports malformed blobs as internal errors (corrupted storage), not operator mistakes', async () => {
    const seal = createShamirSeal(generateKey());
    const good = await seal.wrap(rootKey());
    const bad: unknown[] = [
      null,
      { ...good, version: 2 },
      { ...good, type: 'awskms' },
      { ...good, ciphertext: 'not base64!' },
      { ...good, ciphertext: 42 },
      { ...good, ciphertext: Buffer.alloc(27).toString('base64') },
    ];
    for (const blob of bad) {
      const error = await failure(seal.unwrap(blob as SealedBlob));
      expect(error.code).toBe('internal');
      expect(error.message).toMatch(/^sealed root key is malformed: /);
    }
  });

  it('honours an aborted signal', async () => {
    const seal = createShamirSeal(generateKey());
    const blob = await seal.wrap(rootKey());
    const signal = AbortSignal.abort();
    await expect(seal.wrap(rootKey(), { signal })).rejects.toThrow();
    await expect(seal.unwrap(blob, { signal })).rejects.toThrow();
  });
});

describe('generateKey', () => {
  it('gives 32 fresh random bytes each time', () => {
    const a = generateKey();
    const b = generateKey();
    expect(a).toHaveLength(32);
    expect(a).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });
});
