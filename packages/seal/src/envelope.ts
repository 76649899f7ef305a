import { createCipheriv, createDecipheriv, randomBytes, type CipherKey } from 'node:crypto';
import type { SealedBlob } from '@coffer/sdk';
import { SealError } from './seal-error.js';

export const DATA_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** AES-256-GCM under `key`: nonce ‖ ciphertext ‖ tag, with `aad` bound in when given. */
export function encryptPayload(key: CipherKey, plaintext: Uint8Array, aad: Uint8Array | undefined): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  if (aad) cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** The plaintext, or undefined when the payload does not authenticate (wrong key, tampering, other AAD). */
export function decryptPayload(key: CipherKey, payload: Buffer, aad: Uint8Array | undefined): Uint8Array | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key, payload.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(payload.subarray(payload.length - TAG_BYTES));
  const body = decipher.update(payload.subarray(NONCE_BYTES, payload.length - TAG_BYTES));
  try {
    return new Uint8Array(Buffer.concat([body, decipher.final()]));
  } catch {
    return undefined;
  } finally {
    body.fill(0);
  }
}

/** A fresh random 256-bit data key (envelope encryption: one per wrap). */
export function newDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

export interface ParsedBlob {
  keyId: string;
  keyVersion: string | undefined;
  payload: Buffer;
  /** Present for envelope seals. */
  wrappedKey: Buffer | undefined;
}

/** Checks a stored blob's shape; a bad shape means corrupted storage or a bug, never operator input. */
export function parseBlob(seal: string, blob: SealedBlob, envelope: boolean): ParsedBlob {
  const malformed = (reason: string) =>
    new SealError(seal, 'malformed', `sealed blob is malformed: ${reason}`, 'internal');
  if (typeof blob !== 'object' || blob === null) throw malformed('not an object');
  if (blob.version !== 1) throw malformed(`unsupported version ${String(blob.version)}`);
  if (blob.type !== seal) throw malformed(`it was written by a "${String(blob.type)}" seal`);
  if (typeof blob.keyId !== 'string' || blob.keyId === '') throw malformed('no key id');
  if (blob.keyVersion !== undefined && typeof blob.keyVersion !== 'string')
    throw malformed('the key version is not a string');
  if (typeof blob.ciphertext !== 'string' || !BASE64.test(blob.ciphertext))
    throw malformed('the ciphertext is not base64');
  const payload = Buffer.from(blob.ciphertext, 'base64');
  if (payload.length < NONCE_BYTES + TAG_BYTES) throw malformed('the ciphertext is too short');
  let wrappedKey: Buffer | undefined;
  if (envelope) {
    if (typeof blob.wrappedKey !== 'string' || blob.wrappedKey === '' || !BASE64.test(blob.wrappedKey)) {
      throw malformed('the wrapped data key is missing or not base64');
    }
    wrappedKey = Buffer.from(blob.wrappedKey, 'base64');
  } else if (blob.wrappedKey !== undefined) {
    throw malformed('a direct seal blob has no wrapped key');
  }
  return { keyId: blob.keyId, keyVersion: blob.keyVersion, payload, wrappedKey };
}

/** The payload did not authenticate although its key was found: tampering, or other AAD. */
export function tampered(seal: string, keyId: string): SealError {
  return new SealError(
    seal,
    'tampered',
    `the sealed data does not authenticate under the key of key id "${keyId}" (tampered blob, or bound to other data)`,
    'internal',
  );
}
