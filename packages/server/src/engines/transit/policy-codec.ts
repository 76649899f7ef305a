import { CofferError, isPlainObject } from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../util/json-codec.js';
import type { KeyPolicy, KeyVersion } from './key-policy.js';
import { isKeyType } from './key-types.js';

/**
 * The stored form of a key: one JSON record per key at `policy/<name>` in the mount's storage, which
 * sits behind the barrier (so key material is encrypted at rest by the barrier, never stored in
 * clear). Binary fields are base64. `format` lets a later layout be told apart from this one.
 */
const FORMAT = 1;

export function encodePolicy(policy: KeyPolicy): Uint8Array {
  return encodeJson(policyToJson(policy));
}

export function decodePolicy(raw: Uint8Array, what: string): KeyPolicy {
  return policyFromJson(decodeJson(raw, what), what);
}

/** Also the content of a backup (see path-backup.ts). */
export function policyToJson(policy: KeyPolicy): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const [number, version] of policy.versions) {
    versions[String(number)] = {
      created_ms: version.createdMs,
      hmac_key: version.hmacKey.toString('base64'),
      ...(version.key ? { key: version.key.toString('base64') } : {}),
      ...(version.privateKeyDer ? { private_key: version.privateKeyDer.toString('base64') } : {}),
      ...(version.publicKey !== undefined ? { public_key: version.publicKey } : {}),
    };
  }
  return {
    format: FORMAT,
    name: policy.name,
    type: policy.type,
    derived: policy.derived,
    kdf: 'hkdf_sha256',
    convergent_encryption: policy.convergent,
    exportable: policy.exportable,
    allow_plaintext_backup: policy.allowPlaintextBackup,
    deletion_allowed: policy.deletionAllowed,
    min_decryption_version: policy.minDecryptionVersion,
    min_encryption_version: policy.minEncryptionVersion,
    min_available_version: policy.minAvailableVersion,
    latest_version: policy.latestVersion,
    auto_rotate_period: policy.autoRotatePeriod,
    ...(policy.keySize !== undefined ? { key_size: policy.keySize } : {}),
    ...(policy.backupInfo ? { backup_info: { time_ms: policy.backupInfo.timeMs, version: policy.backupInfo.version } } : {}),
    ...(policy.restoreInfo
      ? { restore_info: { time_ms: policy.restoreInfo.timeMs, version: policy.restoreInfo.version } }
      : {}),
    versions,
  };
}

export function policyFromJson(json: Record<string, unknown>, what: string): KeyPolicy {
  const bad = (detail: string) =>
    new CofferError('internal', 'internal error', { cause: new Error(`${what}: ${detail}`) });
  if (json.format !== FORMAT) throw bad(`unknown format ${String(json.format)}`);
  const type = json.type;
  if (typeof type !== 'string' || !isKeyType(type)) throw bad(`unknown key type ${String(type)}`);
  if (typeof json.name !== 'string' || !isPlainObject(json.versions)) throw bad('missing name or versions');
  const int = (field: string): number => {
    const value = json[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw bad(`${field} is not an integer`);
    return value;
  };
  const bool = (field: string): boolean => json[field] === true;
  const versions = new Map<number, KeyVersion>();
  for (const [number, entry] of Object.entries(json.versions)) {
    if (!isPlainObject(entry) || typeof entry.created_ms !== 'number' || typeof entry.hmac_key !== 'string') {
      throw bad(`version ${number} is malformed`);
    }
    versions.set(Number(number), {
      createdMs: entry.created_ms,
      hmacKey: Buffer.from(entry.hmac_key, 'base64'),
      ...(typeof entry.key === 'string' ? { key: Buffer.from(entry.key, 'base64') } : {}),
      ...(typeof entry.private_key === 'string' ? { privateKeyDer: Buffer.from(entry.private_key, 'base64') } : {}),
      ...(typeof entry.public_key === 'string' ? { publicKey: entry.public_key } : {}),
    });
  }
  const info = (field: string) => {
    const value = json[field];
    if (!isPlainObject(value) || typeof value.time_ms !== 'number' || typeof value.version !== 'number') return {};
    return { [field === 'backup_info' ? 'backupInfo' : 'restoreInfo']: { timeMs: value.time_ms, version: value.version } };
  };
  return {
    name: json.name,
    type,
    derived: bool('derived'),
    convergent: bool('convergent_encryption'),
    exportable: bool('exportable'),
    allowPlaintextBackup: bool('allow_plaintext_backup'),
    deletionAllowed: bool('deletion_allowed'),
    minDecryptionVersion: int('min_decryption_version'),
    minEncryptionVersion: int('min_encryption_version'),
    minAvailableVersion: int('min_available_version'),
    latestVersion: int('latest_version'),
    autoRotatePeriod: int('auto_rotate_period'),
    ...(json.key_size !== undefined ? { keySize: int('key_size') } : {}),
    ...info('backup_info'),
    ...info('restore_info'),
    versions,
  };
}
