import { createHash } from 'node:crypto';
import { isCofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { b64, transitHarness, unb64 } from './transit-harness.js';

const fails = async (promise: Promise<unknown>, message: string) =>
  expect(promise).rejects.toSatisfy((error) => isCofferError(error) && error.code === 'invalid_request' && error.message === message);

describe('transit random', () => {
  it('returns 32 base64 bytes by default; bytes and format from the body or the URL', async () => {
    const h = await transitHarness();
    expect(unb64((await h.call('write', 'random'))?.data?.random_bytes)).toHaveLength(32);
    expect((await h.call('write', 'random', { bytes: 8, format: 'hex' }))?.data?.random_bytes).toMatch(/^[0-9a-f]{16}$/);
    expect(unb64((await h.call('write', 'random/12'))?.data?.random_bytes)).toHaveLength(12);
    expect(unb64((await h.call('write', 'random/platform/5'))?.data?.random_bytes)).toHaveLength(5);
    const seal = await h.call('write', 'random/seal');
    expect(seal?.warnings).toEqual(['no seal/entropy augmentation available, using platform entropy source']);
  });

  it('refuses bad counts, formats and sources', async () => {
    const h = await transitHarness();
    await fails(h.call('write', 'random', { bytes: 0 }), "'bytes' cannot be less than 1");
    await fails(h.call('write', 'random', { bytes: 128 * 1024 + 1 }), "'bytes' should be less than 131072");
    await fails(h.call('write', 'random', { format: 'b32' }), 'unsupported encoding format "b32"; must be "hex" or "base64"');
    await fails(h.call('write', 'random/lots'), 'error parsing url-set byte count: strconv.Atoi: parsing "lots": invalid syntax');
    await fails(h.call('write', 'random/moon/4'), 'unsupported entropy source "moon"; must be "platform" or "seal", or "all"');
  });
});

describe('transit hash', () => {
  it('hashes with SHA-2 and SHA-3, hex by default', async () => {
    const h = await transitHarness();
    const input = b64('hash me');
    expect((await h.call('write', 'hash', { input }))?.data).toEqual({ sum: createHash('sha256').update('hash me').digest('hex') });
    expect((await h.call('write', 'hash/sha3-384', { input, format: 'base64' }))?.data).toEqual({
      sum: createHash('sha3-384').update('hash me').digest('base64'),
    });
    expect((await h.call('write', 'hash', { input, algorithm: 'sha2-512' }))?.data).toEqual({
      sum: createHash('sha512').update('hash me').digest('hex'),
    });
  });

  it('refuses bad input with Vault\'s messages', async () => {
    const h = await transitHarness();
    await fails(h.call('write', 'hash', {}), 'input missing');
    await fails(h.call('write', 'hash', { input: '?' }), 'unable to decode input as base64: illegal base64 data at input byte 0');
    await fails(h.call('write', 'hash', { input: b64('x'), format: 'raw' }), 'unsupported encoding format raw; must be "hex" or "base64"');
    await fails(h.call('write', 'hash/md5', { input: b64('x') }), 'unsupported algorithm md5');
  });
});
