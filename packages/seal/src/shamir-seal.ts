import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { CofferError, type Seal, type SealCallOptions, type SealedBlob } from '@coffer/sdk';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const SEAL_TYPE = 'shamir';
/** Shamir seals have a single key, formed anew from the shares at each unseal; there is nothing to version. */
const KEY_ID = 'shamir';

/** 32 random bytes: a fresh key-encryption key (or root key) for `sys/init`. */
export function generateKey(): Uint8Array {
  return new Uint8Array(randomBytes(KEY_BYTES));
}

/**
 * The Shamir seal (Vault's KEK model): the key shares combine into a 256-bit key-encryption key,
 * and the root key is stored AES-256-GCM encrypted under it. Blob ciphertext = nonce ‖ ct ‖ tag.
 */
export function createShamirSeal(kek: Uint8Array): Seal {
  if (!(kek instanceof Uint8Array) || kek.length !== KEY_BYTES) {
    // Reached with user input when shares of the wrong size are combined; the length is not secret.
    throw new CofferError(
      'invalid_request',
      `unseal failed: the combined key shares form a ${kek?.length ?? 0}-byte key, not a ${KEY_BYTES}-byte one`,
    );
  }
  // A KeyObject holds its own copy, so the caller may zero `kek` as soon as this returns.
  const key = createSecretKey(Uint8Array.from(kek));
  return {
    type: SEAL_TYPE,
    autoUnseal: false,
    wrap: async (plaintext, options) => wrap(key, plaintext, options),
    unwrap: async (blob, options) => unwrap(key, blob, options),
  };
}

function wrap(key: KeyObject, plaintext: Uint8Array, options: SealCallOptions = {}): SealedBlob {
  options.signal?.throwIfAborted();
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  if (options.aad) cipher.setAAD(options.aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const ciphertext = Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
  return { version: 1, type: SEAL_TYPE, keyId: KEY_ID, ciphertext };
}

function unwrap(key: KeyObject, blob: SealedBlob, options: SealCallOptions = {}): Uint8Array {
  options.signal?.throwIfAborted();
  const raw = readBlob(blob);
  const nonce = raw.subarray(0, NONCE_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  if (options.aad) decipher.setAAD(options.aad);
  decipher.setAuthTag(tag);
  const body = decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES));
  try {
    return new Uint8Array(Buffer.concat([body, decipher.final()]));
  } catch {
    body.fill(0);
    // GCM cannot tell a wrong key from a tampered blob or other AAD; with well-formed storage the
    // wrong key (wrong or too few shares) is by far the likely cause, and it is the operator's to fix.
    throw new CofferError('invalid_request', 'unseal failed: the combined key shares do not decrypt the root key');
  }
}

/** Checks the blob's shape; a bad shape means corrupted storage or a bug, never operator input. */
function readBlob(blob: SealedBlob): Buffer {
  if (typeof blob !== 'object' || blob === null) throw malformed('not an object');
  if (blob.version !== 1) throw malformed(`unsupported version ${String(blob.version)}`);
  if (blob.type !== SEAL_TYPE) throw malformed(`it was written by a "${String(blob.type)}" seal`);
  if (typeof blob.ciphertext !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(blob.ciphertext)) {
    throw malformed('the ciphertext is not base64');
  }
  const raw = Buffer.from(blob.ciphertext, 'base64');
  if (raw.length < NONCE_BYTES + TAG_BYTES) throw malformed('the ciphertext is too short');
  return raw;
}

function malformed(reason: string): CofferError {
  return new CofferError('internal', `sealed root key is malformed: ${reason}`);
}
