import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { b64, transitHarness, type TransitHarness, unb64 } from './transit-harness.js';

/**
 * Pins the wire format against node:crypto alone: vault:v<N>:base64(nonce(12) ‖ ciphertext ‖ tag(16)),
 * as keysutil's SymmetricEncryptRaw writes it, for every symmetric key type. The transit seal of
 * another Coffer (or a Vault) depends on exactly this.
 */
const CIPHERS = {
  'aes256-gcm96': 'aes-256-gcm',
  'aes128-gcm96': 'aes-128-gcm',
  'chacha20-poly1305': 'chacha20-poly1305',
} as const;

async function exportedKey(h: TransitHarness, name: string, version = 1): Promise<Buffer> {
  const exported = await h.call('read', `export/encryption-key/${name}/${version}`);
  return unb64((exported?.data?.keys as Record<string, string>)[String(version)]);
}

function openByHand(algorithm: string, key: Buffer, blob: Buffer, aad?: Buffer): Buffer {
  const decipher = createDecipheriv(algorithm as 'aes-256-gcm', key, blob.subarray(0, 12), { authTagLength: 16 });
  decipher.setAuthTag(blob.subarray(blob.length - 16));
  if (aad) decipher.setAAD(aad);
  return Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
}

function sealByHand(algorithm: string, key: Buffer, plaintext: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv(algorithm as 'aes-256-gcm', key, nonce, { authTagLength: 16 });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

describe('transit ciphertext format', () => {
  it.each(Object.entries(CIPHERS))('%s: decodes by hand with node:crypto, and hand-made ciphertexts decrypt', async (type, algorithm) => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { type, exportable: true });
    const plaintext = Buffer.from('attack at dawn');
    const { ciphertext } = (await h.call('write', 'encrypt/k', { plaintext: b64(plaintext) }))?.data as { ciphertext: string };
    const match = /^vault:v1:([A-Za-z0-9+/]+=*)$/.exec(ciphertext);
    expect(match).not.toBeNull();
    const blob = unb64(match?.[1]);
    expect(blob.length).toBe(12 + plaintext.length + 16);
    const key = await exportedKey(h, 'k');
    expect(key.length).toBe(type === 'aes128-gcm96' ? 16 : 32);
    expect(openByHand(algorithm, key, blob).equals(plaintext)).toBe(true);

    const handMade = `vault:v1:${sealByHand(algorithm, key, Buffer.from('made elsewhere')).toString('base64')}`;
    const opened = await h.call('write', 'decrypt/k', { ciphertext: handMade });
    expect(unb64(opened?.data?.plaintext).toString()).toBe('made elsewhere');
  });

  it('uses a fresh nonce every time', async () => {
    const h = await transitHarness();
    const a = await h.call('write', 'encrypt/k', { plaintext: b64('same') });
    const b = await h.call('write', 'encrypt/k', { plaintext: b64('same') });
    expect(a?.data?.ciphertext).not.toBe(b?.data?.ciphertext);
  });

  it('authenticates associated data as GCM AAD', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { exportable: true });
    const aad = Buffer.from('record-17');
    const { ciphertext } = (await h.call('write', 'encrypt/k', { plaintext: b64('x'), associated_data: b64(aad) }))?.data as {
      ciphertext: string;
    };
    const blob = unb64(ciphertext.slice('vault:v1:'.length));
    expect(openByHand('aes-256-gcm', await exportedKey(h, 'k'), blob, aad).toString()).toBe('x');
    expect((await h.call('write', 'decrypt/k', { ciphertext, associated_data: b64(aad) }))?.data).toEqual({ plaintext: b64('x') });
    await expect(h.call('write', 'decrypt/k', { ciphertext })).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'cipher: message authentication failed',
    });
  });

  it('derives per-context keys with HKDF-SHA256(key, info = context), as keysutil does', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { derived: true, exportable: true });
    const context = Buffer.from('user-1234');
    const { ciphertext } = (await h.call('write', 'encrypt/k', { plaintext: b64('derived'), context: b64(context) }))?.data as {
      ciphertext: string;
    };
    const base = await exportedKey(h, 'k');
    const derived = Buffer.from(hkdfSync('sha256', base, Buffer.alloc(0), context, 32));
    expect(openByHand('aes-256-gcm', derived, unb64(ciphertext.slice(9))).toString()).toBe('derived');
  });

  it('convergent encryption: equal context and plaintext give equal ciphertexts (nonce = HMAC of the plaintext)', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { derived: true, convergent_encryption: true, exportable: true });
    const enc = async (text: string, context: string) =>
      (await h.call('write', 'encrypt/k', { plaintext: b64(text), context: b64(context) }))?.data?.ciphertext as string;
    const a = await enc('same', 'ctx');
    expect(await enc('same', 'ctx')).toBe(a);
    expect(await enc('same', 'other')).not.toBe(a);
    expect(await enc('different', 'ctx')).not.toBe(a);
    const material = Buffer.from(hkdfSync('sha256', await exportedKey(h, 'k'), Buffer.alloc(0), Buffer.from('ctx'), 64));
    expect(openByHand('aes-256-gcm', material.subarray(0, 32), unb64(a.slice(9))).toString()).toBe('same');
    expect((await h.call('write', 'decrypt/k', { ciphertext: a, context: b64('ctx') }))?.data).toEqual({ plaintext: b64('same') });
  });

  it('RSA keys encrypt with OAEP/SHA-256 under the same prefix', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/r', { type: 'rsa-2048' });
    const { ciphertext } = (await h.call('write', 'encrypt/r', { plaintext: b64('rsa') }))?.data as { ciphertext: string };
    expect(unb64(ciphertext.slice(9))).toHaveLength(256);
    expect((await h.call('write', 'decrypt/r', { ciphertext }))?.data).toEqual({ plaintext: b64('rsa') });
    await expect(h.call('write', 'encrypt/r', { plaintext: b64('x'.repeat(191)) })).rejects.toMatchObject({
      message: 'failed to RSA encrypt the plaintext: crypto/rsa: message too long for RSA key size',
    });
    await expect(h.call('write', 'encrypt/r', { plaintext: b64('x'), associated_data: b64('a') })).rejects.toMatchObject({
      message: "'[0].associated_data' provided for non-AEAD cipher suite rsa-2048",
    });
  });

  it('reads v0 ciphertexts (pre-versioning) as v1, as Vault does', async () => {
    const h = await transitHarness();
    const { ciphertext } = (await h.call('write', 'encrypt/k', { plaintext: b64('old') }))?.data as { ciphertext: string };
    const v0 = ciphertext.replace('vault:v1:', 'vault:v0:');
    expect((await h.call('write', 'decrypt/k', { ciphertext: v0 }))?.data).toEqual({ plaintext: b64('old') });
  });
});
