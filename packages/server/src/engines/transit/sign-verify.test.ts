import { constants, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { isCofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { b64, transitHarness, type TransitHarness, unb64 } from './transit-harness.js';

const fails = async (promise: Promise<unknown>, message: string) =>
  expect(promise).rejects.toSatisfy((error) => isCofferError(error) && error.code === 'invalid_request' && error.message === message);

const message = Buffer.from('sign me, independently checked');

async function publicKey(h: TransitHarness, name: string, version = 1): Promise<KeyObject> {
  const keys = (await h.call('read', `keys/${name}`))?.data?.keys as Record<string, { public_key: string }>;
  const key = keys[String(version)]?.public_key ?? '';
  if (key.startsWith('-----')) return createPublicKey(key);
  // Ed25519: Vault shows the raw 32 bytes; wrap them in SPKI for node:crypto.
  return createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), unb64(key)]), format: 'der', type: 'spki' });
}

async function signature(h: TransitHarness, name: string, data: Record<string, unknown>): Promise<Buffer> {
  const answer = await h.call('write', `sign/${name}`, { input: b64(message), ...data });
  const signed = answer?.data?.signature as string;
  expect(signed).toMatch(/^vault:v1:/);
  const payload = signed.slice('vault:v1:'.length);
  return data.marshaling_algorithm === 'jws' ? Buffer.from(payload, 'base64url') : unb64(payload);
}

describe('transit sign, checked with node:crypto', () => {
  it('ed25519 signs the message itself', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { type: 'ed25519' });
    expect(verify(null, message, await publicKey(h, 'k'), await signature(h, 'k', {}))).toBe(true);
  });

  it.each([
    ['ecdsa-p256', 'sha2-256', 'sha256'],
    ['ecdsa-p384', 'sha2-384', 'sha384'],
    ['ecdsa-p521', 'sha2-512', 'sha512'],
    ['ecdsa-p256', 'sha3-256', 'sha3-256'],
  ])('%s with %s, asn1 and jws marshaling, plain and prehashed', async (type, hash, nodeHash) => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { type });
    const key = await publicKey(h, 'k');
    expect(verify(nodeHash, message, key, await signature(h, 'k', { hash_algorithm: hash }))).toBe(true);
    const jws = await signature(h, 'k', { hash_algorithm: hash, marshaling_algorithm: 'jws' });
    expect(jws.length).toBe(2 * Math.ceil(Number(type.slice(7)) / 8));
    expect(verify(nodeHash, message, { key, dsaEncoding: 'ieee-p1363' }, jws)).toBe(true);
    const digest = createHash(nodeHash).update(message).digest();
    const prehashed = await h.call('write', `sign/k/${hash}`, { input: b64(digest), prehashed: true });
    expect(verify(nodeHash, message, key, unb64((prehashed?.data?.signature as string).slice(9)))).toBe(true);
  });

  it.each(['rsa-2048', 'rsa-3072'])('%s with PSS (default) and PKCS#1 v1.5, plain and prehashed', async (type) => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { type });
    const key = await publicKey(h, 'k');
    const pss = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO };
    expect(verify('sha256', message, pss, await signature(h, 'k', {}))).toBe(true);
    expect(verify('sha512', message, pss, await signature(h, 'k', { hash_algorithm: 'sha2-512' }))).toBe(true);
    const hashSalt = await signature(h, 'k', { salt_length: 'hash' });
    expect(verify('sha256', message, { ...pss, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, hashSalt)).toBe(true);
    const pkcs1 = await signature(h, 'k', { signature_algorithm: 'pkcs1v15' });
    expect(verify('sha256', message, { key, padding: constants.RSA_PKCS1_PADDING }, pkcs1)).toBe(true);
    const digest = createHash('sha256').update(message).digest();
    for (const signature_algorithm of ['pss', 'pkcs1v15']) {
      const answer = await h.call('write', 'sign/k', { input: b64(digest), prehashed: true, signature_algorithm });
      const sig = unb64((answer?.data?.signature as string).slice(9));
      const padding = signature_algorithm === 'pss' ? pss : { key, padding: constants.RSA_PKCS1_PADDING };
      expect(verify('sha256', message, padding, sig)).toBe(true);
    }
  });

  it('derived ed25519 keys sign per context and return the public key used', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/d', { type: 'ed25519', derived: true });
    const answer = await h.call('write', 'sign/d', { input: b64(message), context: b64('tenant') });
    const data = answer?.data as { signature: string; public_key: string; key_version: number };
    const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), unb64(data.public_key)]), format: 'der', type: 'spki' });
    expect(verify(null, message, key, unb64(data.signature.slice(9)))).toBe(true);
    const shown = (await h.call('read', 'keys/d', { context: b64('tenant') }))?.data?.keys as Record<string, { public_key: string }>;
    expect(shown['1']?.public_key).toBe(data.public_key);
    await expect(h.call('write', 'sign/d', { input: b64(message) })).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/^error deriving key: missing 'context' for key derivation/),
    });
  });
});

describe('transit verify', () => {
  it.each(['ed25519', 'ecdsa-p256', 'ecdsa-p521', 'rsa-2048'])('%s: accepts its signatures and refuses altered ones', async (type) => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { type });
    const { signature: sig } = (await h.call('write', 'sign/k', { input: b64(message) }))?.data as { signature: string };
    expect((await h.call('write', 'verify/k', { input: b64(message), signature: sig }))?.data).toEqual({ valid: true });
    expect((await h.call('write', 'verify/k', { input: b64('other'), signature: sig }))?.data).toEqual({ valid: false });
    const jws = (await h.call('write', 'sign/k', { input: b64(message), marshaling_algorithm: 'jws' }))?.data?.signature;
    expect((await h.call('write', 'verify/k', { input: b64(message), signature: jws, marshaling_algorithm: 'jws' }))?.data).toEqual({ valid: true });
  });

  it('verifies signatures made by old versions until min_decryption_version', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { type: 'ecdsa-p256' });
    const old = (await h.call('write', 'sign/k', { input: b64(message) }))?.data?.signature;
    await h.call('write', 'keys/k/rotate');
    const fresh = (await h.call('write', 'sign/k', { input: b64(message) }))?.data?.signature as string;
    expect(fresh).toMatch(/^vault:v2:/);
    expect((await h.call('write', 'verify/k', { input: b64(message), signature: old }))?.data).toEqual({ valid: true });
    await h.call('write', 'keys/k/config', { min_decryption_version: 2 });
    await fails(h.call('write', 'verify/k', { input: b64(message), signature: old }), 'ciphertext or signature version is disallowed by policy (too old)');
    await fails(h.call('write', 'sign/k', { input: b64(message), key_version: 3 }), 'requested version for signing is higher than the latest key version');
  });

  it('handles batches of signatures', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k', { type: 'ed25519' });
    const signed = await h.call('write', 'sign/k', {
      batch_input: [{ input: b64('a'), reference: 'ra' }, { input: '!!' }, { input: b64('c') }],
    });
    const results = signed?.data?.batch_results as { signature?: string; key_version: number; error?: string; reference: string }[];
    expect(results[0]).toEqual({ signature: expect.stringMatching(/^vault:v1:/), key_version: 1, reference: 'ra' });
    expect(results[1]).toEqual({ key_version: 0, error: 'unable to decode input as base64: illegal base64 data at input byte 0', reference: '' });
    const verified = await h.call('write', 'verify/k', {
      batch_input: [
        { input: b64('a'), signature: results[0]?.signature, reference: 'ra' },
        { input: b64('x'), signature: results[2]?.signature },
      ],
    });
    expect(verified?.data?.batch_results).toEqual([
      { valid: true, reference: 'ra' },
      { valid: false, reference: '' },
    ]);
  });

  it('refuses bad requests with Vault\'s messages', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/aes');
    await h.call('write', 'keys/ec', { type: 'ecdsa-p256' });
    await h.call('write', 'keys/rsa', { type: 'rsa-2048' });
    await fails(h.call('write', 'sign/aes', { input: b64('x') }), 'key type aes256-gcm96 does not support signing');
    await fails(h.call('write', 'verify/aes', { input: b64('x'), signature: 'vault:v1:AA==' }), 'key type aes256-gcm96 does not support verification');
    await fails(h.call('write', 'sign/none', { input: b64('x') }), 'signing key not found');
    await fails(h.call('write', 'verify/none', { input: b64('x'), signature: 'vault:v1:AA==' }), 'signature verification key not found');
    await fails(h.call('write', 'sign/ec', { input: b64('x'), hash_algorithm: 'md5' }), 'invalid hash algorithm "md5"');
    await fails(h.call('write', 'sign/ec/sha2-999', { input: b64('x') }), 'invalid hash algorithm "sha2-999"');
    await fails(h.call('write', 'sign/ec', { input: b64('x'), marshaling_algorithm: 'pem' }), 'invalid marshaling type "pem"');
    await fails(h.call('write', 'sign/ec', { input: b64('x'), hash_algorithm: 'none' }), 'hash_algorithm=none requires both prehashed=true and signature_algorithm=pkcs1v15');
    await fails(h.call('write', 'sign/rsa', { input: b64('x'), signature_algorithm: 'raw' }), 'unsupported rsa signature algorithm raw');
    await fails(h.call('write', 'sign/rsa', { input: b64('x'), salt_length: 'lots' }), "salt length neither 'auto', 'hash', nor an int: lots");
    await fails(h.call('write', 'sign/rsa', { input: b64('x'), salt_length: '-2' }), 'salt length is invalid: -2');
    await fails(h.call('write', 'sign/rsa', { input: b64('x'), salt_length: '500' }), 'requested salt length 500 is invalid');
    await fails(h.call('write', 'verify/ec', { input: b64('x') }), "neither a 'signature' nor an 'hmac' were given to verify");
    await fails(h.call('write', 'verify/ec', { input: b64('x'), signature: 'v', hmac: 'h' }), "provide one of 'signature' or 'hmac'");
    await fails(h.call('write', 'verify/ec', { batch_input: [{ input: 'eA==', signature: 's' }, { input: 'eA==' }] }), "some elements of batch_input are missing 'signature'");
    await fails(h.call('write', 'verify/ec', { input: b64('x'), signature: 'sig' }), 'invalid signature: no prefix');
    await fails(h.call('write', 'verify/ec', { input: b64('x'), signature: 'vault:v5:AA==' }), 'invalid signature: version is too new');
    await fails(h.call('write', 'verify/ec', { input: b64('x'), signature: 'vault:v1:%%' }), 'invalid base64 signature value');
    await fails(h.call('write', 'verify/ec', { input: b64('x'), signature: 'vault:v1:AAEC' }), 'supplied signature is invalid');
    const sig = (await h.call('write', 'sign/ec', { input: b64('x') }))?.data?.signature as string;
    const extra = `vault:v1:${Buffer.concat([unb64(sig.slice(9)), Buffer.of(0)]).toString('base64')}`;
    await fails(h.call('write', 'verify/ec', { input: b64('x'), signature: extra }), 'supplied signature contains extra data');
  });
});
