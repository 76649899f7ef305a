import { CofferError, isPlainObject } from '@coffer/sdk';
import type { KeyMetadata, KvConfig, VersionMetadata } from './kv-store.js';

/** Vault keeps 10 versions when neither the engine nor the key sets `max_versions`. */
export const DEFAULT_MAX_VERSIONS = 10;

export function newKeyMetadata(now: number): KeyMetadata {
  return {
    createdTime: now,
    updatedTime: now,
    currentVersion: 0,
    oldestVersion: 0,
    maxVersions: 0,
    casRequired: false,
    deleteVersionAfter: 0,
    customMetadata: {},
    versions: {},
  };
}

/**
 * Vault keeps the greater of the key's and the engine's `max_versions` when both are set (0 means
 * unset); see hashicorp/vault#22394 and `AddVersion` in vault-plugin-secrets-kv.
 */
export function effectiveMaxVersions(metadata: KeyMetadata, config: KvConfig): number {
  const larger = Math.max(metadata.maxVersions, config.maxVersions);
  return larger > 0 ? larger : DEFAULT_MAX_VERSIONS;
}

/**
 * Records a new current version and slides the window of kept versions. Returns the highest
 * version number whose data must now be removed from storage (0 when none), as Vault's
 * `AddVersion`: with a window of N, versions up to current - N go.
 */
export function addVersion(metadata: KeyMetadata, version: VersionMetadata, config: KvConfig): number {
  metadata.currentVersion++;
  metadata.versions[String(metadata.currentVersion)] = version;
  metadata.updatedTime = version.createdTime;
  const keep = effectiveMaxVersions(metadata, config);
  if (metadata.currentVersion - metadata.oldestVersion < keep) return 0;
  const upTo = metadata.currentVersion - keep;
  for (const key of Object.keys(metadata.versions)) {
    if (Number(key) <= upTo) delete metadata.versions[key];
  }
  metadata.oldestVersion = upTo + 1;
  return upTo;
}

/**
 * When a version written (or undeleted) at `from` will read as deleted: `from` plus the smaller
 * non-zero `delete_version_after` of the engine and the key, or null when neither is set or the
 * engine disables it (negative).
 */
export function scheduledDeletion(from: number, config: KvConfig, metadata: KeyMetadata): number | null {
  if (config.deleteVersionAfter < 0) return null;
  const candidates = [config.deleteVersionAfter, metadata.deleteVersionAfter].filter((s) => s > 0);
  return candidates.length === 0 ? null : from + Math.min(...candidates) * 1000;
}

/**
 * A version reads as deleted once its deletion time has come. Vault compares strictly
 * (`Before(now)`); we count the very instant as deleted too, so a delete is visible at once even
 * to a reader holding the same clock reading.
 */
export function isDeleted(version: VersionMetadata, now: number): boolean {
  return version.deletionTime !== null && version.deletionTime <= now;
}

export function isReadable(version: VersionMetadata, now: number): boolean {
  return !version.destroyed && !isDeleted(version, now);
}

/** The `metadata` of a data read and the body of a write: keys in Vault's (sorted) order. */
export function versionView(number: number, version: VersionMetadata, metadata: KeyMetadata): Record<string, unknown> {
  return {
    created_time: formatTime(version.createdTime),
    custom_metadata: customMetadataView(metadata),
    deletion_time: formatTime(version.deletionTime),
    destroyed: version.destroyed,
    version: number,
  };
}

/** Vault answers `null` for a key without custom metadata. */
export function customMetadataView(metadata: KeyMetadata): Record<string, string> | null {
  return Object.keys(metadata.customMetadata).length === 0 ? null : { ...metadata.customMetadata };
}

/**
 * RFC 3339 with nanoseconds, as Vault prints protobuf timestamps; our clock has milliseconds, so
 * the last six digits are zeros. Absent times are `""`, as in Vault.
 */
export function formatTime(ms: number | null): string {
  if (ms === null) return '';
  // toISOString always ends in ".mmmZ"; this runs for every version of every KV read.
  return `${new Date(ms).toISOString().slice(0, -1)}000000Z`;
}

/**
 * Vault's check-and-set rule: when `options.cas` is given it must equal the current version (0 for
 * a secret that has none yet); without it, the write is refused if the engine or the key requires
 * cas.
 */
export function checkCas(options: Record<string, unknown> | undefined, config: KvConfig, metadata: KeyMetadata): void {
  const raw = options !== undefined && isPlainObject(options) ? options.cas : undefined;
  if (raw === undefined || raw === null) {
    if (config.casRequired || metadata.casRequired) {
      throw new CofferError('invalid_request', 'check-and-set parameter required for this call');
    }
    return;
  }
  if (parseCas(raw) !== metadata.currentVersion) {
    throw new CofferError('invalid_request', 'check-and-set parameter did not match the current version');
  }
}

function parseCas(raw: unknown): number {
  const value = typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new CofferError('invalid_request', 'error parsing check-and-set parameter');
  }
  return value;
}

/** A `version` query parameter: 0 or absent is the current version; negatives are refused. */
export function requestedVersion(raw: number | undefined): number {
  if (raw === undefined) return 0;
  if (raw < 0) throw new CofferError('invalid_request', `invalid version number ${raw}: must not be negative`);
  return raw;
}

/** The `versions` list of delete, undelete and destroy. */
export function requestedVersions(raw: number[] | undefined, missingMessage: string): number[] {
  if (raw === undefined || raw.length === 0) throw new CofferError('invalid_request', missingMessage);
  for (const version of raw) {
    if (version < 0) throw new CofferError('invalid_request', `invalid version number ${version}: must not be negative`);
  }
  return raw;
}
