import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CofferError } from '@coffer/sdk';
import { describeSealConformance } from '@coffer/sdk/testing';
import { describe, expect, it } from 'vitest';
import { aad, expectNoSecrets, rootKey, sealFailure } from '../test/seal-test-helpers.js';
import { parseStaticSealConfig } from './static-config.js';
import { createStaticSeal } from './static-seal.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

async function keyFile(content: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'coffer-static-seal-')), 'key');
  await writeFile(file, content, { mode: 0o600 });
  return file;
}

describeSealConformance('static (base64 key in the stanza)', () =>
  createStaticSeal(parseStaticSealConfig({ current_key_id: 'k1', current_key: keyA.toString('base64') })),
);
describeSealConformance('static (env:// key)', () =>
  createStaticSeal(
    parseStaticSealConfig(
      { current_key_id: 'k1', current_key: 'env://UNSEAL_KEY' },
      { UNSEAL_KEY: keyA.toString('hex') },
    ),
  ),
);
describeSealConformance('static (file:// key)', async () =>
  createStaticSeal(
    parseStaticSealConfig({
      current_key_id: 'k1',
      current_key: `file://${await keyFile(`${keyA.toString('base64url')}\n`)}`,
    }),
  ),
);

describe('static seal', () => {
  const sealWith = (options: Record<string, unknown>) => createStaticSeal(parseStaticSealConfig(options));

  it('encrypts directly (no wrapped key) and records the key id', async () => {
    const blob = await (await sealWith({ current_key_id: 'k1', current_key: keyA.toString('base64') })).wrap(rootKey());
    expect(Object.keys(blob).sort()).toEqual(['ciphertext', 'keyId', 'type', 'version']);
    expect(blob).toMatchObject({ type: 'static', keyId: 'k1' });
    expect(Buffer.from(blob.ciphertext, 'base64')).toHaveLength(12 + 32 + 16);
  });

  it('rotates: the previous key still unwraps old blobs, new blobs use the current key', async () => {
    const before = await sealWith({ current_key_id: 'k1', current_key: keyA.toString('base64') });
    const old = await before.wrap(rootKey(), { aad });
    const after = await sealWith({
      current_key_id: 'k2',
      current_key: keyB.toString('base64'),
      previous_key_id: 'k1',
      previous_key: keyA.toString('base64'),
    });
    expect([...(await after.unwrap(old, { aad }))]).toEqual([...rootKey()]);
    expect((await after.wrap(rootKey())).keyId).toBe('k2');
    expect(await after.check()).toEqual({ keyId: 'k2' });
  });

  it('refuses a blob of a key id it does not have, naming the ids only', async () => {
    const old = await (await sealWith({ current_key_id: 'k1', current_key: keyA.toString('base64') })).wrap(rootKey());
    const error = await sealFailure(
      (await sealWith({ current_key_id: 'k2', current_key: keyB.toString('base64') })).unwrap(old),
    );
    expect(error).toMatchObject({ code: 'invalid_request', reason: 'key_not_found' });
    expect(error.message).toBe('static seal: the blob was sealed with key id "k1", but only "k2" is configured');
  });

  it('other key material under the same id does not authenticate, and no key appears in the error', async () => {
    const old = await (await sealWith({ current_key_id: 'k1', current_key: keyA.toString('base64') })).wrap(rootKey());
    const error = await sealFailure(
      (await sealWith({ current_key_id: 'k1', current_key: keyB.toString('base64') })).unwrap(old),
    );
    expect(error).toMatchObject({ code: 'internal', reason: 'tampered' });
    expectNoSecrets(error.message, [keyA, keyB, rootKey()]);
  });

  it('describes itself by key ids only', async () => {
    const seal = await sealWith({
      current_key_id: 'k2',
      current_key: keyB.toString('hex'),
      previous_key_id: 'k1',
      previous_key: keyA.toString('hex'),
    });
    expect(seal.describe()).toEqual({ type: 'static', current_key_id: 'k2', previous_key_id: 'k1' });
    expect(seal.autoUnseal).toBe(true);
  });

  it('refuses unreadable or malformed key files, and the same key under two ids', async () => {
    const refusals = [
      { current_key_id: 'k1', current_key: 'file:///nonexistent/coffer/key' },
      { current_key_id: 'k1', current_key: `file://${await keyFile('too short')}` },
      {
        current_key_id: 'k2',
        current_key: keyA.toString('base64'),
        previous_key_id: 'k1',
        previous_key: keyA.toString('hex'),
      },
    ];
    for (const options of refusals) {
      const error = await createStaticSeal(parseStaticSealConfig(options)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CofferError);
      expect((error as CofferError).code).toBe('invalid_request');
      expectNoSecrets((error as CofferError).message, [keyA]);
    }
  });
});
