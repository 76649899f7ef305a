import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CofferError } from '@coffer/sdk';
import type { SymmetricCipherType } from './key-types.js';

/**
 * The AEADs of Vault's symmetric keys. Layout, as keysutil's SymmetricEncryptRaw writes it:
 * nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes), for AES-GCM and ChaCha20-Poly1305 alike.
 */
export const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const ALGORITHM: Record<SymmetricCipherType, 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'> = {
  'aes128-gcm96': 'aes-128-gcm',
  'aes256-gcm96': 'aes-256-gcm',
  'chacha20-poly1305': 'chacha20-poly1305',
};

// Go's `errOpen` texts, which Vault returns as the (400) error of a failed decryption.
const AUTH_FAILED: Record<SymmetricCipherType, string> = {
  'aes128-gcm96': 'cipher: message authentication failed',
  'aes256-gcm96': 'cipher: message authentication failed',
  'chacha20-poly1305': 'chacha20poly1305: message authentication failed',
};

/** Encrypts under a random nonce, or the given one (convergent encryption derives it). */
export function aeadSeal(
  type: SymmetricCipherType,
  key: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array | undefined,
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): Buffer {
  const algorithm = ALGORITHM[type];
  // One call, written twice so that each branch matches one of Node's typed overloads.
  const cipher =
    algorithm === 'chacha20-poly1305'
      ? createCipheriv(algorithm, key, nonce, { authTagLength: TAG_BYTES })
      : createCipheriv(algorithm, key, nonce, { authTagLength: TAG_BYTES });
  if (aad?.length) cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Decrypts and authenticates, failing with Vault's user errors. */
export function aeadOpen(type: SymmetricCipherType, key: Uint8Array, blob: Uint8Array, aad: Uint8Array | undefined): Buffer {
  if (blob.length < NONCE_BYTES) throw new CofferError('invalid_request', 'invalid ciphertext length');
  if (blob.length < NONCE_BYTES + TAG_BYTES) throw new CofferError('invalid_request', AUTH_FAILED[type]);
  const nonce = blob.subarray(0, NONCE_BYTES);
  const body = blob.subarray(NONCE_BYTES, blob.length - TAG_BYTES);
  const algorithm = ALGORITHM[type];
  // One call, written twice so that each branch matches one of Node's typed overloads.
  const decipher =
    algorithm === 'chacha20-poly1305'
      ? createDecipheriv(algorithm, key, nonce, { authTagLength: TAG_BYTES })
      : createDecipheriv(algorithm, key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
  if (aad?.length) decipher.setAAD(aad, { plaintextLength: body.length });
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new CofferError('invalid_request', AUTH_FAILED[type]);
  }
}
