import { CofferError } from '@coffer/sdk';
import type { KeyPolicy } from './key-policy.js';
import { generateKeyVersion } from './key-material.js';
import { HMAC_DEFAULT_KEY_BYTES, isSymmetricCipher, type KeyType } from './key-types.js';

export interface NewKeyRequest {
  name: string;
  type: KeyType;
  derived: boolean;
  convergent: boolean;
  exportable: boolean;
  allowPlaintextBackup: boolean;
  /** Seconds. */
  autoRotatePeriod: number;
  /** `hmac` keys only. */
  keySize?: number;
  nowMs: number;
}

/**
 * A new key with its first version, refusing the combinations keysutil's LockManager refuses on
 * upsert (Vault answers those with a 500; they are the caller's mistake, so here a 400).
 */
export async function newKeyPolicy(request: NewKeyRequest): Promise<KeyPolicy> {
  const { type, derived, convergent } = request;
  if (isSymmetricCipher(type)) {
    if (convergent && !derived) throw invalid('convergent encryption requires derivation to be enabled');
  } else if (type === 'ed25519') {
    if (convergent) throw invalid(`convergent encryption not supported for keys of type ${type}`);
  } else if (derived || convergent) {
    throw invalid(`key derivation and convergent encryption not supported for keys of type ${type}`);
  }
  const keySize = type === 'hmac' ? (request.keySize ?? HMAC_DEFAULT_KEY_BYTES) : undefined;
  const first = await generateKeyVersion(type, request.nowMs, keySize);
  return {
    name: request.name,
    type,
    derived,
    convergent: derived && convergent,
    exportable: request.exportable,
    allowPlaintextBackup: request.allowPlaintextBackup,
    deletionAllowed: false,
    minDecryptionVersion: 1,
    minEncryptionVersion: 0,
    minAvailableVersion: 0,
    latestVersion: 1,
    autoRotatePeriod: request.autoRotatePeriod,
    ...(keySize !== undefined ? { keySize } : {}),
    versions: new Map([[1, first]]),
  };
}

/** The policy with one more version, which becomes the latest (Vault's Rotate). */
export async function rotatedPolicy(policy: KeyPolicy, nowMs: number): Promise<KeyPolicy> {
  const next = policy.latestVersion + 1;
  const version = await generateKeyVersion(policy.type, nowMs, policy.keySize);
  return { ...policy, latestVersion: next, versions: new Map([...policy.versions, [next, version]]) };
}

function invalid(message: string): CofferError {
  return new CofferError('invalid_request', message);
}
