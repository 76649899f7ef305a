import { isCofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { b64, transitHarness } from './transit-harness.js';

const T0_UNIX = 1714557600; // 2024-05-01T10:00:00.123Z, the harness's clock

const fails = async (promise: Promise<unknown>, message: string, code = 'invalid_request') =>
  expect(promise).rejects.toSatisfy((error) => isCofferError(error) && error.code === code && error.message === message);

describe('transit keys: create, read, list, delete', () => {
  it('creates an aes256-gcm96 key by default and answers with Vault key JSON', async () => {
    const h = await transitHarness();
    const created = await h.call('write', 'keys/orders');
    expect(created).toEqual({
      data: {
        name: 'orders',
        type: 'aes256-gcm96',
        derived: false,
        deletion_allowed: false,
        min_available_version: 0,
        min_decryption_version: 1,
        min_encryption_version: 0,
        latest_version: 1,
        exportable: false,
        allow_plaintext_backup: false,
        supports_encryption: true,
        supports_decryption: true,
        supports_signing: false,
        supports_derivation: true,
        auto_rotate_period: 0,
        imported_key: false,
        keys: { '1': T0_UNIX },
      },
    });
    expect(await h.call('read', 'keys/orders')).toEqual(created);
  });

  it('shows public keys of asymmetric keys, with Go time stamps and curve names', async () => {
    const h = await transitHarness();
    const ec = (await h.call('write', 'keys/ec', { type: 'ecdsa-p384' }))?.data as { keys: Record<string, unknown> };
    expect(ec.keys['1']).toEqual({
      name: 'P-384',
      public_key: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/),
      certificate_chain: '',
      creation_time: '2024-05-01T10:00:00.123Z',
    });
    const ed = (await h.call('write', 'keys/ed', { type: 'ed25519' }))?.data as { keys: Record<string, { public_key: string }> };
    expect(Buffer.from(ed.keys['1']?.public_key ?? '', 'base64')).toHaveLength(32);
    const rsa = (await h.call('write', 'keys/rsa', { type: 'rsa-2048' }))?.data;
    expect(rsa).toMatchObject({ supports_encryption: true, supports_signing: true, keys: { '1': { name: 'rsa-2048' } } });
    const hmac = (await h.call('write', 'keys/mac', { type: 'hmac', key_size: 64 }))?.data;
    expect(hmac).toMatchObject({ type: 'hmac', key_size: 64, supports_encryption: false, supports_signing: false });
    expect(hmac).not.toHaveProperty('keys'); // Vault lists no versions for hmac keys
  });

  it('reports derivation settings of derived and convergent keys', async () => {
    const h = await transitHarness();
    const data = (await h.call('write', 'keys/d', { derived: true, convergent_encryption: true }))?.data;
    expect(data).toMatchObject({ derived: true, kdf: 'hkdf_sha256', convergent_encryption: true, convergent_encryption_version: -1 });
  });

  it('leaves an existing key alone, with Vault\'s warning', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { type: 'chacha20-poly1305' });
    const again = await h.call('write', 'keys/k', { type: 'ed25519' });
    expect(again?.warnings).toEqual(['key k already existed']);
    expect(again?.data).toMatchObject({ type: 'chacha20-poly1305' });
  });

  it('treats key creation as an update for ACLs (no existence check on keys/<name>)', async () => {
    const h = await transitHarness();
    expect((await h.route('write', 'keys/new')).request.operation).toBe('update');
  });

  it('refuses bad creation parameters with Vault\'s messages', async () => {
    const h = await transitHarness();
    await fails(h.call('write', 'keys/k', { type: 'des' }), 'unknown key type des');
    await fails(h.call('write', 'keys/k', { auto_rotate_period: '30m' }), 'auto rotate period must be 0 to disable or at least an hour');
    await fails(h.call('write', 'keys/k', { convergent_encryption: true }), 'convergent encryption requires derivation to be enabled');
    await fails(h.call('write', 'keys/k', { type: 'ecdsa-p256', derived: true }), 'key derivation and convergent encryption not supported for keys of type ecdsa-p256');
    await fails(h.call('write', 'keys/k', { type: 'ed25519', derived: true, convergent_encryption: true }), 'convergent encryption not supported for keys of type ed25519');
    await fails(h.call('write', 'keys/k', { key_size: 64 }), 'key_size is not valid for algorithm aes256-gcm96');
    await fails(h.call('write', 'keys/k', { type: 'hmac', key_size: 16 }), 'invalid key_size 16');
    expect(await h.call('list', 'keys/')).toBeUndefined();
  });

  it('accepts only Vault key names', async () => {
    const h = await transitHarness();
    await expect(h.call('write', 'keys/-bad')).rejects.toMatchObject({ code: 'unsupported_path' });
    await expect(h.call('write', 'keys/a/b')).rejects.toMatchObject({ code: 'unsupported_path' });
    expect((await h.call('write', 'keys/my.key-1_a'))?.data).toMatchObject({ name: 'my.key-1_a' });
  });

  it('lists keys (404 when there are none)', async () => {
    const h = await transitHarness();
    expect(await h.call('list', 'keys/')).toBeUndefined();
    await h.call('write', 'keys/b');
    await h.call('write', 'keys/a', { type: 'ed25519' });
    expect(await h.call('list', 'keys/')).toEqual({ data: { keys: ['a', 'b'] } });
    expect(await h.call('list', 'keys')).toEqual({ data: { keys: ['a', 'b'] } });
  });

  it('reads nothing (404) for a missing key', async () => {
    const h = await transitHarness();
    expect(await h.call('read', 'keys/missing')).toBeUndefined();
  });

  it('deletes only when deletion_allowed, with Vault\'s messages', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    await fails(h.call('delete', 'keys/k'), 'error deleting policy k: deletion is not allowed for this key');
    await fails(h.call('delete', 'keys/nope'), 'error deleting policy nope: could not delete key; not found');
    await h.call('write', 'keys/k/config', { deletion_allowed: true });
    expect(await h.call('delete', 'keys/k')).toBeUndefined();
    expect(await h.call('read', 'keys/k')).toBeUndefined();
    expect(h.storage.dump().size).toBe(0);
    await fails(h.call('write', 'decrypt/k', { ciphertext: 'vault:v1:AAAA' }), 'encryption key not found');
  });

  it('shows the public key of a derived Ed25519 key only for a given context', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/ed', { type: 'ed25519', derived: true });
    const bare = (await h.call('read', 'keys/ed'))?.data as { keys: Record<string, { public_key: string }> };
    expect(bare.keys['1']?.public_key).toBe('');
    const a = (await h.call('read', 'keys/ed', { context: b64('tenant-a') }))?.data as typeof bare;
    const b = (await h.call('read', 'keys/ed', { context: b64('tenant-b') }))?.data as typeof bare;
    expect(Buffer.from(a.keys['1']?.public_key ?? '', 'base64')).toHaveLength(32);
    expect(a.keys['1']?.public_key).not.toBe(b.keys['1']?.public_key);
    await fails(h.call('read', 'keys/ed', { context: 'not base64!' }), 'failed to base64-decode context');
  });
});
