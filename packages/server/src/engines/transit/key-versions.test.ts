import { isCofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { b64, transitHarness, type TransitHarness } from './transit-harness.js';

const fails = async (promise: Promise<unknown>, message: string) =>
  expect(promise).rejects.toSatisfy((error) => isCofferError(error) && error.code === 'invalid_request' && error.message === message);

const encrypt = async (h: TransitHarness, text: string, extra: Record<string, unknown> = {}) =>
  (await h.call('write', 'encrypt/k', { plaintext: b64(text), ...extra }))?.data as { ciphertext: string; key_version: number };
const decrypt = async (h: TransitHarness, ciphertext: string) =>
  Buffer.from((await h.call('write', 'decrypt/k', { ciphertext }))?.data?.plaintext as string, 'base64').toString();

describe('transit key versions: rotate, config, trim', () => {
  it('keeps decrypting v1 and v2 after two rotations, until min_decryption_version forbids it', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    const v1 = await encrypt(h, 'one');
    h.clock.advance(10);
    const rotated = await h.call('write', 'keys/k/rotate');
    expect(rotated?.data).toMatchObject({ latest_version: 2, keys: { '1': 1714557600, '2': 1714557610 } });
    const v2 = await encrypt(h, 'two');
    await h.call('write', 'keys/k/rotate');
    const v3 = await encrypt(h, 'three');
    expect([v1.ciphertext, v2.ciphertext, v3.ciphertext].map((c) => c.slice(0, 9))).toEqual(['vault:v1:', 'vault:v2:', 'vault:v3:']);
    expect([v1.key_version, v2.key_version, v3.key_version]).toEqual([1, 2, 3]);
    expect(await decrypt(h, v1.ciphertext)).toBe('one');
    expect(await decrypt(h, v2.ciphertext)).toBe('two');

    const configured = await h.call('write', 'keys/k/config', { min_decryption_version: 2 });
    expect(configured?.data).toMatchObject({ min_decryption_version: 2, latest_version: 3 });
    expect(Object.keys((configured?.data as { keys: object }).keys)).toEqual(['2', '3']); // as Vault: older ones are archived
    await fails(h.call('write', 'decrypt/k', { ciphertext: v1.ciphertext }), 'ciphertext or signature version is disallowed by policy (too old)');
    expect(await decrypt(h, v2.ciphertext)).toBe('two');
    expect(await decrypt(h, v3.ciphertext)).toBe('three');

    // Lowering it again brings v1 back: nothing was deleted.
    await h.call('write', 'keys/k/config', { min_decryption_version: 1 });
    expect(await decrypt(h, v1.ciphertext)).toBe('one');
  });

  it('rewrap moves a ciphertext to the latest version', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    const v1 = await encrypt(h, 'secret');
    await h.call('write', 'keys/k/rotate');
    await h.call('write', 'keys/k/rotate');
    const rewrapped = await h.call('write', 'rewrap/k', { ciphertext: v1.ciphertext });
    expect(rewrapped?.data).toMatchObject({ key_version: 3, ciphertext: expect.stringMatching(/^vault:v3:/) });
    const pinned = await h.call('write', 'rewrap/k', { ciphertext: rewrapped?.data?.ciphertext, key_version: 2 });
    expect(pinned?.data).toMatchObject({ key_version: 2, ciphertext: expect.stringMatching(/^vault:v2:/) });
    await h.call('write', 'keys/k/config', { min_decryption_version: 3 });
    expect(await decrypt(h, rewrapped?.data?.ciphertext as string)).toBe('secret');
    // Versions below min_decryption_version are out of reach for encryption too ("archived" in Vault).
    await fails(h.call('write', 'rewrap/k', { ciphertext: rewrapped?.data?.ciphertext, key_version: 2 }), 'no such key version');
  });

  it('min_encryption_version refuses older versions for encryption; 0 still means the latest', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    await h.call('write', 'keys/k/rotate');
    await h.call('write', 'keys/k/rotate');
    await h.call('write', 'keys/k/config', { min_encryption_version: 2 });
    expect((await encrypt(h, 'x')).key_version).toBe(3);
    expect((await encrypt(h, 'x', { key_version: 2 })).ciphertext).toMatch(/^vault:v2:/);
    await fails(
      h.call('write', 'encrypt/k', { plaintext: b64('x'), key_version: 1 }),
      'requested version for encryption is less than the minimum encryption key version',
    );
    await fails(
      h.call('write', 'encrypt/k', { plaintext: b64('x'), key_version: 4 }),
      'requested version for encryption is higher than the latest key version',
    );
    await fails(h.call('write', 'encrypt/k', { plaintext: b64('x'), key_version: -1 }), 'requested version for encryption is negative');
  });

  it('validates config as Vault does', async () => {
    const h = await transitHarness();
    await fails(h.call('write', 'keys/none/config', { deletion_allowed: true }), 'no existing key named none could be found');
    await h.call('write', 'keys/k');
    await h.call('write', 'keys/k/rotate');
    await fails(h.call('write', 'keys/k/config', { min_decryption_version: 3 }), 'cannot set min decryption version of 3, latest key version is 2');
    await fails(h.call('write', 'keys/k/config', { min_encryption_version: 3 }), 'cannot set min encryption version of 3, latest key version is 2');
    await fails(h.call('write', 'keys/k/config', { min_decryption_version: -1 }), 'min decryption version cannot be negative');
    await fails(
      h.call('write', 'keys/k/config', { min_decryption_version: 2, min_encryption_version: 1 }),
      'cannot set min encryption/decryption values; min encryption version of 1 must be greater than or equal to min decryption version of 2',
    );
    await fails(h.call('write', 'keys/k/config', { auto_rotate_period: '10m' }), 'auto rotate period must be 0 to disable or at least an hour');
    const zero = await h.call('write', 'keys/k/config', { min_decryption_version: 0 });
    expect(zero?.warnings).toEqual(['since Vault 0.3, transit key numbering starts at 1; forcing minimum to 1']);
    expect(zero?.data).toMatchObject({ min_decryption_version: 1 });
  });

  it('turns exportable and allow_plaintext_backup on, never off', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    await h.call('write', 'keys/k/config', { exportable: true, allow_plaintext_backup: true, auto_rotate_period: '24h' });
    await h.call('write', 'keys/k/config', { exportable: false, allow_plaintext_backup: false });
    expect((await h.call('read', 'keys/k'))?.data).toMatchObject({
      exportable: true,
      allow_plaintext_backup: true,
      auto_rotate_period: 86400,
    });
  });

  it('trims versions for good, within Vault\'s bounds', async () => {
    const h = await transitHarness();
    await fails(h.call('write', 'keys/none/trim', { min_available_version: 1 }), 'invalid key name');
    await h.call('write', 'keys/k');
    const v1 = await encrypt(h, 'one');
    for (let i = 0; i < 3; i++) await h.call('write', 'keys/k/rotate');
    await fails(h.call('write', 'keys/k/trim', {}), 'missing min_available_version');
    await fails(
      h.call('write', 'keys/k/trim', { min_available_version: 2 }),
      'minimum available version cannot be set when minimum encryption version is not set',
    );
    await h.call('write', 'keys/k/config', { min_encryption_version: 3 });
    await fails(h.call('write', 'keys/k/trim', { min_available_version: 2 }), 'minimum available version cannot be greater than minimum decryption version');
    await h.call('write', 'keys/k/config', { min_decryption_version: 3 });
    await fails(h.call('write', 'keys/k/trim', { min_available_version: 4 }), 'minimum available version cannot be greater than minmum encryption version');
    await fails(h.call('write', 'keys/k/trim', { min_available_version: 0 }), 'minimum available version should be positive');
    const trimmed = await h.call('write', 'keys/k/trim', { min_available_version: 3 });
    expect(trimmed?.data).toMatchObject({ min_available_version: 3, min_decryption_version: 3, latest_version: 4 });
    await fails(h.call('write', 'keys/k/trim', { min_available_version: 2 }), 'minimum available version cannot be decremented');
    await fails(h.call('write', 'keys/k/config', { min_decryption_version: 1 }), 'min decryption version should not be less then min available version');
    await fails(h.call('write', 'decrypt/k', { ciphertext: v1.ciphertext }), 'ciphertext or signature version is disallowed by policy (too old)');
    // The trimmed versions are gone from storage too.
    const stored = JSON.parse(Buffer.from(h.storage.dump().get('policy/k') as Uint8Array).toString()) as { versions: object };
    expect(Object.keys(stored.versions)).toEqual(['3', '4']);
  });

  it('rotates keys automatically once their period has passed (periodic)', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/auto', { auto_rotate_period: '1h' });
    await h.call('write', 'keys/manual');
    h.clock.advance(3599);
    await h.engine.periodic?.();
    expect((await h.call('read', 'keys/auto'))?.data).toMatchObject({ latest_version: 1 });
    h.clock.advance(2);
    await h.engine.periodic?.();
    expect((await h.call('read', 'keys/auto'))?.data).toMatchObject({ latest_version: 2 });
    expect((await h.call('read', 'keys/manual'))?.data).toMatchObject({ latest_version: 1 });
    await h.engine.periodic?.();
    expect((await h.call('read', 'keys/auto'))?.data).toMatchObject({ latest_version: 2 });
  });

  it('rotate of a missing key fails with Vault\'s message', async () => {
    const h = await transitHarness();
    await fails(h.call('write', 'keys/none/rotate'), 'key not found');
  });
});
