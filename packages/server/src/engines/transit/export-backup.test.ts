import { createPrivateKey, createPublicKey } from 'node:crypto';
import { isCofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { b64, transitHarness, unb64 } from './transit-harness.js';

const fails = async (promise: Promise<unknown>, message: string) =>
  expect(promise).rejects.toSatisfy((error) => isCofferError(error) && error.code === 'invalid_request' && error.message === message);

describe('transit export', () => {
  it('exports nothing unless the key is exportable (public keys excepted)', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    await h.call('write', 'keys/ec', { type: 'ecdsa-p256' });
    await fails(h.call('read', 'export/encryption-key/k'), 'private key material is not exportable');
    await fails(h.call('read', 'export/hmac-key/k'), 'private key material is not exportable');
    await fails(h.call('read', 'export/signing-key/ec'), 'private key material is not exportable');
    const pub = await h.call('read', 'export/public-key/ec');
    expect(pub?.data).toMatchObject({ name: 'ec', type: 'ecdsa-p256', keys: { '1': expect.stringMatching(/^-----BEGIN PUBLIC KEY-----/) } });
    await h.call('write', 'keys/k/config', { exportable: true });
    expect((await h.call('read', 'export/encryption-key/k'))?.data).toEqual({ name: 'k', type: 'aes256-gcm96', keys: { '1': expect.any(String) } });
  });

  it('exports every key version, or one (number, v-number or latest)', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { exportable: true });
    await h.call('write', 'keys/k/rotate');
    const all = (await h.call('read', 'export/encryption-key/k'))?.data?.keys as Record<string, string>;
    expect(Object.keys(all)).toEqual(['1', '2']);
    expect((await h.call('read', 'export/encryption-key/k/latest'))?.data?.keys).toEqual({ '2': all['2'] });
    expect((await h.call('read', 'export/encryption-key/k/v1'))?.data?.keys).toEqual({ '1': all['1'] });
    await fails(h.call('read', 'export/encryption-key/k/3'), 'version does not exist or cannot be found');
    await fails(h.call('read', 'export/encryption-key/k/x'), 'invalid key version');
    await h.call('write', 'keys/k/config', { min_decryption_version: 2 });
    await fails(h.call('read', 'export/encryption-key/k/1'), 'version for export is below minimum decryption version');
  });

  it('uses Vault\'s encodings for asymmetric keys, which node:crypto reads back', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/ec', { type: 'ecdsa-p384', exportable: true });
    await h.call('write', 'keys/rsa', { type: 'rsa-2048', exportable: true });
    await h.call('write', 'keys/ed', { type: 'ed25519', exportable: true });
    const one = async (path: string) => ((await h.call('read', path))?.data?.keys as Record<string, string>)['1'] as string;
    const ec = await one('export/signing-key/ec');
    expect(ec).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n[\s\S]+-----END EC PRIVATE KEY-----$/);
    expect(createPrivateKey(ec).asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    const rsa = await one('export/encryption-key/rsa');
    expect(rsa).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+-----END RSA PRIVATE KEY-----\n$/);
    expect(await one('export/signing-key/rsa')).toBe(rsa);
    const ed = unb64(await one('export/signing-key/ed'));
    expect(ed).toHaveLength(64); // Go's form: seed ‖ public key
    const shown = (await h.call('read', 'keys/ed'))?.data?.keys as Record<string, { public_key: string }>;
    expect(ed.subarray(32).toString('base64')).toBe(shown['1']?.public_key);
    expect(await one('export/public-key/ed')).toBe(shown['1']?.public_key);
    const rsaPublic = await one('export/public-key/rsa');
    expect(createPublicKey(rsaPublic).equals(createPublicKey(createPrivateKey(rsa)))).toBe(true);
  });

  it('refuses exports that do not fit the key type', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { exportable: true });
    await h.call('write', 'keys/ed', { type: 'ed25519', exportable: true });
    await fails(h.call('read', 'export/private-key/k'), 'invalid export type: private-key');
    await fails(h.call('read', 'export/signing-key/k'), 'signing not supported for the key');
    await fails(h.call('read', 'export/encryption-key/ed'), 'encryption not supported for the key');
    await fails(h.call('read', 'export/public-key/k'), 'unknown key type aes256-gcm96 for export type public-key');
    expect(await h.call('read', 'export/encryption-key/none')).toBeUndefined();
  });
});

describe('transit backup and restore', () => {
  it('needs exportable and allow_plaintext_backup', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    await fails(h.call('read', 'backup/k'), 'exporting is disallowed on the policy');
    await h.call('write', 'keys/k/config', { exportable: true });
    await fails(h.call('read', 'backup/k'), 'plaintext backup is disallowed on the policy');
    await fails(h.call('read', 'backup/none'), 'key "none" not found');
  });

  it('restores every version under the same or a new name', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { exportable: true, allow_plaintext_backup: true });
    const c1 = (await h.call('write', 'encrypt/k', { plaintext: b64('one') }))?.data?.ciphertext;
    await h.call('write', 'keys/k/rotate');
    const backup = (await h.call('read', 'backup/k'))?.data?.backup as string;
    expect((await h.call('read', 'keys/k'))?.data).toMatchObject({ backup_info: { time: '2024-05-01T10:00:00.123Z', version: 2 } });

    const other = await transitHarness();
    expect(await other.call('write', 'restore', { backup })).toBeUndefined();
    expect((await other.call('write', 'decrypt/k', { ciphertext: c1 }))?.data).toEqual({ plaintext: b64('one') });
    await other.call('write', 'restore/copy', { backup });
    expect((await other.call('read', 'keys/copy'))?.data).toMatchObject({ name: 'copy', latest_version: 2, restore_info: { version: 2 } });
    await fails(other.call('write', 'restore', { backup }), 'key "k" already exists');
    await other.call('write', 'restore', { backup, force: true });
  });

  it('refuses missing or foreign backups', async () => {
    const h = await transitHarness();
    await fails(h.call('write', 'restore', {}), "'backup' must be supplied");
    await fails(h.call('write', 'restore', { backup: b64('{"policy":{}}') }), 'failed to decode backup: not a transit key backup');
    await fails(h.call('write', 'restore/a/b', { backup: b64('x') }), 'key names cannot be paths');
    const forged = { coffer_transit_backup: 1, policy: { format: 1, name: 'x', type: 'aes256-gcm96', min_decryption_version: 1, min_encryption_version: 0, min_available_version: 0, latest_version: 3, auto_rotate_period: 0, versions: {} } };
    await fails(h.call('write', 'restore', { backup: b64(JSON.stringify(forged)) }), 'failed to decode backup: the key in it is malformed');
    expect(await h.call('list', 'keys/')).toBeUndefined();
  });
});
