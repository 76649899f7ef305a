import { createPublicKey } from 'node:crypto';
import { operationKey } from './cipher-ops.js';
import { activeVersions, type KeyPolicy } from './key-policy.js';
import { ed25519PrivateKey, ed25519RawPublicKey } from './key-material.js';
import {
  CURVES,
  isEcdsa,
  isSymmetricCipher,
  supportsDerivation,
  supportsEncryption,
  supportsSigning,
  type KeyType,
} from './key-types.js';

/**
 * A key as Vault's `formatKeyPolicy` shows it (read, create, config, rotate and trim all answer with
 * it). `keys` lists the versions from min_decryption_version up: creation times (Unix seconds) for
 * symmetric keys, public keys for asymmetric ones, nothing for `hmac` keys. Key material never
 * appears here.
 */
export function keyJson(policy: KeyPolicy, context?: Uint8Array): Record<string, unknown> {
  const data: Record<string, unknown> = {
    name: policy.name,
    type: policy.type,
    derived: policy.derived,
    deletion_allowed: policy.deletionAllowed,
    min_available_version: policy.minAvailableVersion,
    min_decryption_version: policy.minDecryptionVersion,
    min_encryption_version: policy.minEncryptionVersion,
    latest_version: policy.latestVersion,
    exportable: policy.exportable,
    allow_plaintext_backup: policy.allowPlaintextBackup,
    supports_encryption: supportsEncryption(policy.type),
    supports_decryption: supportsEncryption(policy.type),
    supports_signing: supportsSigning(policy.type),
    supports_derivation: supportsDerivation(policy.type),
    auto_rotate_period: policy.autoRotatePeriod,
    imported_key: false,
  };
  if (policy.keySize !== undefined) data.key_size = policy.keySize;
  if (policy.backupInfo) data.backup_info = { time: goTime(policy.backupInfo.timeMs), version: policy.backupInfo.version };
  if (policy.restoreInfo) data.restore_info = { time: goTime(policy.restoreInfo.timeMs), version: policy.restoreInfo.version };
  if (policy.derived) {
    data.kdf = 'hkdf_sha256';
    data.convergent_encryption = policy.convergent;
    // Vault stores -1 here since convergence versions moved into each key version (all are 3).
    if (policy.convergent) data.convergent_encryption_version = -1;
  }
  const keys = versionsJson(policy, context);
  if (keys) data.keys = keys;
  return data;
}

function versionsJson(policy: KeyPolicy, context: Uint8Array | undefined): Record<string, unknown> | undefined {
  const { type } = policy;
  if (type === 'hmac') return undefined;
  const keys: Record<string, unknown> = {};
  for (const [number, version] of activeVersions(policy)) {
    if (isSymmetricCipher(type)) {
      keys[String(number)] = Math.floor(version.createdMs / 1000);
      continue;
    }
    let publicKey = version.publicKey ?? '';
    if (type === 'ed25519' && policy.derived) {
      // A derived Ed25519 key has a public key per context: shown only for the context asked about.
      publicKey = context?.length
        ? ed25519RawPublicKey(createPublicKey(ed25519PrivateKey(operationKey(policy, number, context, 32)))).toString('base64')
        : '';
    }
    keys[String(number)] = {
      name: asymmetricName(type),
      public_key: publicKey,
      certificate_chain: '',
      creation_time: goTime(version.createdMs),
    };
  }
  return keys;
}

function asymmetricName(type: KeyType): string {
  return isEcdsa(type) ? CURVES[type].goName : type;
}

/** Go's time.Time JSON form (RFC 3339 with nanoseconds, trailing zeros dropped), in UTC. */
export function goTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-05-01T10:00:00.120Z
  return iso.replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits ? `.${digits}Z` : 'Z'));
}
