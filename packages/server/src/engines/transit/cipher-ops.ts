import { constants, createHmac, privateDecrypt, publicEncrypt } from 'node:crypto';
import { CofferError } from '@coffer/sdk';
import { aeadOpen, aeadSeal, NONCE_BYTES } from './aead.js';
import { decodeBase64Strict } from './go-base64.js';
import { hkdfSha256 } from './hkdf.js';
import { activeVersion, type KeyPolicy } from './key-policy.js';
import { privateKeyOf, publicKeyOf } from './key-material.js';
import { isRsa, isSymmetricCipher, supportsDerivation, supportsEncryption, symmetricKeyBytes } from './key-types.js';
import { splitVersioned, withVersionPrefix } from './version-prefix.js';

/**
 * Encrypt and decrypt with a key policy, following keysutil's EncryptWithFactory and
 * DecryptWithFactory step by step, with their messages. Every refusal is a CofferError
 * `invalid_request` (Vault's UserError, a 400); anything else thrown is a bug or corruption.
 */
const userError = (message: string) => new CofferError('invalid_request', message);

export const MISSING_CONTEXT =
  "missing 'context' for key derivation; the key was created using a derived key, which means additional, per-request information must be included in order to perform operations with the key";

/**
 * The key bytes an operation uses (Vault's GetKey): the version's key, or for derived keys
 * HKDF-SHA256(version key, info = context) of `length` bytes.
 */
export function operationKey(policy: KeyPolicy, version: number, context: Uint8Array | undefined, length: number): Buffer {
  if (!policy.derived) {
    const key = activeVersion(policy, version).key;
    if (!key) throw new Error(`transit key ${policy.name} v${version} has no key bytes`);
    return key;
  }
  if (!supportsDerivation(policy.type)) throw userError(`derivation not supported for key type ${policy.type}`);
  if (version <= 0 || version > policy.latestVersion) throw userError('invalid key version');
  if (!context?.length) throw userError(MISSING_CONTEXT);
  const key = activeVersion(policy, version).key;
  if (!key) throw new Error(`transit key ${policy.name} v${version} has no key bytes`);
  return hkdfSha256(key, context, length);
}

/** Resolves `key_version` for encryption-like operations (0 = latest), with Vault's messages. */
export function encryptionVersion(policy: KeyPolicy, requested: number): number {
  if (requested === 0) return policy.latestVersion;
  if (requested < 0) throw userError('requested version for encryption is negative');
  if (requested > policy.latestVersion) {
    throw userError('requested version for encryption is higher than the latest key version');
  }
  if (requested < policy.minEncryptionVersion) {
    throw userError('requested version for encryption is less than the minimum encryption key version');
  }
  return requested;
}

export interface EncryptInput {
  plaintext: Uint8Array;
  context?: Uint8Array | undefined;
  associatedData?: Uint8Array | undefined;
  /** 0 for the latest version. */
  keyVersion: number;
}

export function encryptValue(policy: KeyPolicy, input: EncryptInput): { ciphertext: string; keyVersion: number } {
  const { type } = policy;
  if (!supportsEncryption(type)) throw userError(`message encryption not supported for key type ${type}`);
  const version = encryptionVersion(policy, input.keyVersion);
  let blob: Buffer;
  if (isSymmetricCipher(type)) {
    const encBytes = symmetricKeyBytes(type);
    if (policy.convergent) {
      // Convergent version 3: one HKDF stream gives the cipher key, then an HMAC key that derives
      // the nonce from the plaintext, so equal (context, plaintext) pairs encrypt identically.
      const material = operationKey(policy, version, input.context, encBytes + 32);
      const nonce = createHmac('sha256', material.subarray(encBytes)).update(input.plaintext).digest();
      blob = aeadSeal(type, material.subarray(0, encBytes), input.plaintext, input.associatedData, nonce.subarray(0, NONCE_BYTES));
    } else {
      const key = operationKey(policy, version, input.context, encBytes);
      blob = aeadSeal(type, key, input.plaintext, input.associatedData);
    }
  } else if (isRsa(type)) {
    const publicKey = publicKeyOf(activeVersion(policy, version));
    // OAEP with SHA-256 fits k - 2·32 - 2 bytes; Go refuses longer input with this message.
    if (input.plaintext.length > (publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8 - 66) {
      throw userError('failed to RSA encrypt the plaintext: crypto/rsa: message too long for RSA key size');
    }
    blob = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, input.plaintext);
  } else {
    throw userError(`unsupported key type ${type}`);
  }
  return { ciphertext: withVersionPrefix(version, blob.toString('base64')), keyVersion: version };
}

export interface DecryptInput {
  ciphertext: string;
  context?: Uint8Array | undefined;
  associatedData?: Uint8Array | undefined;
}

export function decryptValue(policy: KeyPolicy, input: DecryptInput): Buffer {
  const { type } = policy;
  if (!supportsEncryption(type)) throw userError(`message decryption not supported for key type ${type}`);
  const parsed = splitVersioned(input.ciphertext, 'ciphertext');
  // v0 ciphertexts predate key versioning; Vault reads them as v1.
  const version = parsed.version === 0 ? 1 : parsed.version;
  if (version > policy.latestVersion) throw userError('invalid ciphertext: version is too new');
  if (version < policy.minDecryptionVersion) throw userError(TOO_OLD);
  let blob: Buffer;
  try {
    blob = decodeBase64Strict(parsed.payload);
  } catch {
    throw userError('invalid ciphertext: could not decode base64');
  }
  if (isSymmetricCipher(type)) {
    const key = operationKey(policy, version, input.context, symmetricKeyBytes(type));
    return aeadOpen(type, key, blob, input.associatedData);
  }
  try {
    const privateKey = privateKeyOf(activeVersion(policy, version));
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, blob);
  } catch (error) {
    if (error instanceof CofferError) throw error;
    throw userError('failed to RSA decrypt the ciphertext: crypto/rsa: decryption error');
  }
}

/** keysutil's ErrTooOld, shared by decryption and signature verification. */
export const TOO_OLD = 'ciphertext or signature version is disallowed by policy (too old)';
