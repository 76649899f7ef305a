import { isCofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { b64, transitHarness, unb64 } from './transit-harness.js';

const fails = async (promise: Promise<unknown>, message: string) =>
  expect(promise).rejects.toSatisfy((error) => isCofferError(error) && error.code === 'invalid_request' && error.message === message);

describe('transit data keys', () => {
  it('plaintext returns the key and its ciphertext; the ciphertext decrypts to it', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    const answer = await h.call('write', 'datakey/plaintext/k');
    const data = answer?.data as { plaintext: string; ciphertext: string; key_version: number };
    expect(Object.keys(data).sort()).toEqual(['ciphertext', 'key_version', 'plaintext']);
    expect(unb64(data.plaintext)).toHaveLength(32);
    expect(data.key_version).toBe(1);
    expect((await h.call('write', 'decrypt/k', { ciphertext: data.ciphertext }))?.data).toEqual({ plaintext: data.plaintext });
  });

  it('wrapped returns only the ciphertext', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    const data = (await h.call('write', 'datakey/wrapped/k', { bits: 512 }))?.data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(['ciphertext', 'key_version']);
    const opened = await h.call('write', 'decrypt/k', { ciphertext: data.ciphertext });
    expect(unb64(opened?.data?.plaintext)).toHaveLength(64);
  });

  it('honours bits, context (derived keys) and key_version', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/d', { derived: true });
    await h.call('write', 'keys/d/rotate');
    const data = (await h.call('write', 'datakey/plaintext/d', { bits: 128, context: b64('c'), key_version: 1 }))?.data as {
      plaintext: string;
      ciphertext: string;
    };
    expect(unb64(data.plaintext)).toHaveLength(16);
    expect(data.ciphertext).toMatch(/^vault:v1:/);
    expect((await h.call('write', 'decrypt/d', { ciphertext: data.ciphertext, context: b64('c') }))?.data).toEqual({ plaintext: data.plaintext });
  });

  it('refuses bad requests with Vault\'s messages', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    await fails(h.call('write', 'datakey/other/k'), "Invalid path, must be 'plaintext' or 'wrapped'");
    await fails(h.call('write', 'datakey/plaintext/k', { bits: 192 }), 'invalid bit length');
    await fails(h.call('write', 'datakey/plaintext/nope'), 'encryption key not found');
    await fails(h.call('write', 'datakey/plaintext/k', { context: '!' }), 'failed to base64-decode context');
    await h.call('write', 'keys/d', { derived: true });
    await expect(h.call('write', 'datakey/plaintext/d')).rejects.toMatchObject({ message: expect.stringMatching(/^missing 'context' for key derivation/) });
    await h.call('write', 'keys/r', { type: 'rsa-2048' });
    await fails(h.call('write', 'datakey/wrapped/r', { associated_data: b64('a') }), "'associated_data' provided for non-AEAD cipher suite rsa-2048");
  });
});
