import { CofferError } from '@coffer/sdk';
import type { KeyType } from './key-types.js';

/**
 * A named key ("policy" in Vault's keysutil): its settings and the versions of its key material.
 * Policies are immutable values: a change (rotate, config, trim) builds a new policy, is stored, and
 * only then replaces the cached one, so a concurrent encrypt always sees one consistent snapshot.
 */
export interface KeyPolicy {
  readonly name: string;
  readonly type: KeyType;
  /** Derived keys use HKDF-SHA256 over the version key with the request's context (Vault's `hkdf_sha256`). */
  readonly derived: boolean;
  readonly convergent: boolean;
  readonly exportable: boolean;
  readonly allowPlaintextBackup: boolean;
  readonly deletionAllowed: boolean;
  /** Versions below it cannot decrypt or verify; always >= 1. */
  readonly minDecryptionVersion: number;
  /** 0 means any version may encrypt or sign. */
  readonly minEncryptionVersion: number;
  /** 0 until the first trim; versions below it are gone for good. */
  readonly minAvailableVersion: number;
  readonly latestVersion: number;
  /** Seconds; 0 disables automatic rotation. */
  readonly autoRotatePeriod: number;
  /** Only for `hmac` keys: bytes of key material per version. */
  readonly keySize?: number;
  /** Every version not trimmed away (>= max(1, minAvailableVersion)), by number. */
  readonly versions: ReadonlyMap<number, KeyVersion>;
  readonly backupInfo?: { readonly timeMs: number; readonly version: number };
  readonly restoreInfo?: { readonly timeMs: number; readonly version: number };
}

export interface KeyVersion {
  /** Epoch milliseconds. */
  readonly createdMs: number;
  /** Symmetric or `hmac` key bytes; for Ed25519 the 64 bytes seed ‖ public key, as Go and Vault hold it. */
  readonly key?: Buffer;
  /** Each version has its own HMAC key, so HMAC works with every key type (the key itself for `hmac`). */
  readonly hmacKey: Buffer;
  /** ECDSA and RSA private keys, PKCS#8 DER. */
  readonly privateKeyDer?: Buffer;
  /** As Vault shows it: PEM for ECDSA and RSA, base64 of the 32 raw bytes for Ed25519. */
  readonly publicKey?: string;
}

/**
 * The versions `p.Keys` holds in Vault: from the minimum decryption version up. Older versions stay
 * stored (until trimmed) but no operation or listing sees them, exactly as Vault's archive.
 */
export function activeVersions(policy: KeyPolicy): [number, KeyVersion][] {
  return [...policy.versions.entries()]
    .filter(([number]) => number >= policy.minDecryptionVersion)
    .sort(([a], [b]) => a - b);
}

/** Vault's `safeGetKeyEntry`: a version an operation may use, or the user error it reports. */
export function activeVersion(policy: KeyPolicy, number: number): KeyVersion {
  const version = number >= policy.minDecryptionVersion ? policy.versions.get(number) : undefined;
  if (!version) throw new CofferError('invalid_request', 'no such key version');
  return version;
}

export function latestKeyVersion(policy: KeyPolicy): KeyVersion {
  const version = policy.versions.get(policy.latestVersion);
  if (!version) {
    throw new CofferError('internal', 'internal error', {
      cause: new Error(`transit key ${policy.name} has no version ${policy.latestVersion}`),
    });
  }
  return version;
}
