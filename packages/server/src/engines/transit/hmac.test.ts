import { createHmac } from 'node:crypto';
import { isCofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { b64, transitHarness, type TransitHarness, unb64 } from './transit-harness.js';

const fails = async (promise: Promise<unknown>, message: string) =>
  expect(promise).rejects.toSatisfy((error) => isCofferError(error) && error.code === 'invalid_request' && error.message === message);

async function hmacKey(h: TransitHarness, name: string, version = 1): Promise<Buffer> {
  const keys = (await h.call('read', `export/hmac-key/${name}/${version}`))?.data?.keys as Record<string, string>;
  return unb64(keys[String(version)]);
}

describe('transit hmac', () => {
  it.each(['aes256-gcm96', 'ed25519', 'hmac'])('%s keys: vault:v1:base64(HMAC-SHA256) with the version HMAC key', async (type) => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { type, exportable: true });
    const answer = await h.call('write', 'hmac/k', { input: b64('payload') });
    const expected = createHmac('sha256', await hmacKey(h, 'k')).update('payload').digest('base64');
    expect(answer).toEqual({ data: { hmac: `vault:v1:${expected}` } });
  });

  it('the hmac key of an hmac-type key is its key, of key_size bytes', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { type: 'hmac', key_size: 48, exportable: true });
    expect(await hmacKey(h, 'k')).toHaveLength(48);
  });

  it('takes the hash from the URL or the body, and verifies through verify/<name>', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { exportable: true });
    const key = await hmacKey(h, 'k');
    const viaUrl = (await h.call('write', 'hmac/k/sha3-512', { input: b64('x') }))?.data?.hmac as string;
    expect(viaUrl).toBe(`vault:v1:${createHmac('sha3-512', key).update('x').digest('base64')}`);
    const viaBody = (await h.call('write', 'hmac/k', { input: b64('x'), algorithm: 'sha2-384' }))?.data?.hmac;
    expect(viaBody).toBe(`vault:v1:${createHmac('sha384', key).update('x').digest('base64')}`);
    expect((await h.call('write', 'verify/k/sha3-512', { input: b64('x'), hmac: viaUrl }))?.data).toEqual({ valid: true });
    expect((await h.call('write', 'verify/k', { input: b64('x'), hmac: viaBody, hash_algorithm: 'sha2-384' }))?.data).toEqual({ valid: true });
    expect((await h.call('write', 'verify/k', { input: b64('y'), hmac: viaUrl, hash_algorithm: 'sha3-512' }))?.data).toEqual({ valid: false });
  });

  it('uses each version\'s own key and honours the version rules', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    const v1 = (await h.call('write', 'hmac/k', { input: b64('x') }))?.data?.hmac as string;
    await h.call('write', 'keys/k/rotate');
    const v2 = (await h.call('write', 'hmac/k', { input: b64('x') }))?.data?.hmac as string;
    expect(v2).toMatch(/^vault:v2:/);
    expect(v2.slice(9)).not.toBe(v1.slice(9));
    expect((await h.call('write', 'hmac/k', { input: b64('x'), key_version: 1 }))?.data?.hmac).toBe(v1);
    expect((await h.call('write', 'verify/k', { input: b64('x'), hmac: v1 }))?.data).toEqual({ valid: true });
    await h.call('write', 'keys/k/config', { min_decryption_version: 2, min_encryption_version: 2 });
    await fails(h.call('write', 'verify/k', { input: b64('x'), hmac: v1 }), 'cannot verify HMAC: version is too old (disallowed by policy)');
    await fails(h.call('write', 'hmac/k', { input: b64('x'), key_version: 1 }), 'cannot generate HMAC: version is too old (disallowed by policy)');
    await fails(h.call('write', 'hmac/k', { input: b64('x'), key_version: 3 }), 'key version does not exist; latest key version is 2');
  });

  it('handles batches, omitting valid when false as Vault does', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    const made = await h.call('write', 'hmac/k', { batch_input: [{ input: b64('a'), reference: '1' }, { input: '@' }] });
    const results = made?.data?.batch_results as { hmac?: string; error?: string; reference: string }[];
    expect(results[0]).toEqual({ hmac: expect.stringMatching(/^vault:v1:/), reference: '1' });
    expect(results[1]).toEqual({ error: 'unable to decode input as base64: illegal base64 data at input byte 0', reference: '' });
    const checked = await h.call('write', 'verify/k', {
      batch_input: [
        { input: b64('a'), hmac: results[0]?.hmac },
        { input: b64('b'), hmac: results[0]?.hmac, reference: 'x' },
        { input: b64('b'), hmac: 'nope' },
      ],
    });
    expect(checked?.data?.batch_results).toEqual([
      { valid: true, reference: '' },
      { reference: 'x' },
      { error: 'invalid HMAC to verify: no prefix', reference: '' },
    ]);
  });

  it('refuses bad requests with Vault\'s messages', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    await fails(h.call('write', 'hmac/none', { input: b64('x') }), 'encryption key not found');
    await fails(h.call('write', 'hmac/k', {}), 'missing input for HMAC');
    await fails(h.call('write', 'hmac/k', { input: b64('x'), algorithm: 'md5' }), 'unsupported algorithm "md5"');
    await fails(h.call('write', 'verify/k', { input: b64('x'), hmac: 'vault:v1' }), 'invalid HMAC: wrong number of fields');
    await fails(h.call('write', 'verify/k', { input: b64('x'), hmac: 'vault:vX:AA==' }), 'invalid HMAC: version number could not be decoded');
    await fails(h.call('write', 'verify/k', { input: b64('x'), hmac: 'vault:v9:AA==' }), 'invalid HMAC: version is too new');
    await fails(h.call('write', 'verify/k', { input: b64('x'), hmac: 'vault:v1:A' }), 'unable to decode verification HMAC as base64: illegal base64 data at input byte 0');
    await fails(h.call('write', 'verify/k', { input: b64('x'), hmac: 'vault:v1:AA==', hash_algorithm: 'sha2-1' }), 'invalid hash algorithm "sha2-1"');
  });
});
