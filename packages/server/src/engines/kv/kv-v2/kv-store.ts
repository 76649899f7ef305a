import { createHash } from 'node:crypto';
import { isPlainObject, MAX_BATCH_WRITES, writeBatch, type Storage } from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../../util/json-codec.js';

/**
 * KV v2 records and where they live in the mount's private storage (all JSON, barrier-encrypted):
 *
 *   config                        engine configuration (KvConfig)
 *   metadata/<path>               one record per secret (KeyMetadata): settings, custom metadata and
 *                                 the state of every kept version; listing `metadata/<folder>/`
 *                                 answers LIST metadata/<folder>/ directly
 *   versions/<sha256(path)>/<n>   the data of version n (VersionRecord)
 *
 * Versions sit under a hash of the path, one fixed-depth folder per secret, so that a secret `a` and
 * a secret `a/1` can never collide and all versions of a secret are found with one list (trimming
 * and metadata delete use it, which also sweeps records a failed cleanup left behind). Times are
 * epoch milliseconds. A write stores the version record and the metadata that points to it in one
 * batch; where a backend applies a batch one write at a time, the record goes first, so a crash in
 * between leaves an unreferenced record, never a dangling reference.
 */
export interface KvConfig {
  /** 0 means the default (10). */
  maxVersions: number;
  casRequired: boolean;
  /** Seconds; 0 is unset, -1 disables delete_version_after on every key (Vault's negative value). */
  deleteVersionAfter: number;
}

export interface VersionMetadata {
  createdTime: number;
  /** When the version reads as deleted: set by a delete, or in advance by delete_version_after. */
  deletionTime: number | null;
  destroyed: boolean;
}

export interface KeyMetadata {
  createdTime: number;
  updatedTime: number;
  currentVersion: number;
  /** Vault's arithmetic: 0 until the first trim, then the lowest kept version. */
  oldestVersion: number;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: number;
  customMetadata: Record<string, string>;
  /** By version number (as a decimal string, as JSON keys are). */
  versions: Record<string, VersionMetadata>;
}

export interface VersionRecord {
  createdTime: number;
  data: Record<string, unknown>;
}

export const DEFAULT_CONFIG: Readonly<KvConfig> = { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 };

export class KvStore {
  readonly #storage: Storage;

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  async readConfig(): Promise<KvConfig> {
    const raw = await this.#storage.get('config');
    return raw === undefined ? { ...DEFAULT_CONFIG } : (decodeJson(raw, 'kv config') as unknown as KvConfig);
  }

  async writeConfig(config: KvConfig): Promise<void> {
    await this.#storage.put('config', encodeJson({ ...config }));
  }

  async readMetadata(path: string): Promise<KeyMetadata | undefined> {
    const raw = await this.#storage.get(metadataKey(path));
    return raw === undefined ? undefined : (decodeJson(raw, `kv metadata ${path}`) as unknown as KeyMetadata);
  }

  async writeMetadata(path: string, metadata: KeyMetadata): Promise<void> {
    await this.#storage.put(metadataKey(path), encodeJson({ ...metadata }));
  }

  async deleteMetadata(path: string): Promise<void> {
    await this.#storage.delete(metadataKey(path));
  }

  async readVersion(path: string, version: number): Promise<VersionRecord | undefined> {
    const raw = await this.#storage.get(versionKey(path, version));
    if (raw === undefined) return undefined;
    const record = decodeJson(raw, `kv version ${version} of ${path}`);
    return { createdTime: Number(record.createdTime), data: isPlainObject(record.data) ? record.data : {} };
  }

  /**
   * A new version, the metadata that points to it, and the deletion of versions that fell out of
   * the window, in one storage batch: one round trip, and on etcd all or nothing. On a backend
   * without batches the writes go one by one in this order, so a crash leaves at worst an
   * unreferenced version record (the next write overwrites it) or old versions not yet deleted
   * (deleting the metadata sweeps them). Returns the versions left to `deleteVersionRange`: a
   * batch holds at most MAX_BATCH_WRITES writes, and lowering max_versions can drop more.
   */
  async commitVersion(path: string, version: number, record: VersionRecord, metadata: KeyMetadata, dropped: readonly number[]): Promise<number[]> {
    const now = dropped.slice(0, MAX_BATCH_WRITES - 2);
    await writeBatch(this.#storage, [
      { key: versionKey(path, version), value: encodeJson({ ...record }) },
      { key: metadataKey(path), value: encodeJson({ ...metadata }) },
      ...now.map((old) => ({ key: versionKey(path, old), value: undefined })),
    ]);
    return dropped.slice(now.length);
  }

  /** Deletes the given version records, a batch at a time. */
  async deleteVersionList(path: string, versions: readonly number[]): Promise<void> {
    for (let i = 0; i < versions.length; i += MAX_BATCH_WRITES) {
      const chunk = versions.slice(i, i + MAX_BATCH_WRITES);
      await writeBatch(this.#storage, chunk.map((old) => ({ key: versionKey(path, old), value: undefined })));
    }
  }

  async deleteVersion(path: string, version: number): Promise<void> {
    await this.#storage.delete(versionKey(path, version));
  }

  /** Removes every stored version record of a secret, found by listing (leftovers included). */
  async deleteAllVersions(path: string): Promise<void> {
    const folder = versionFolder(path);
    for (const name of await this.#storage.list(folder)) await this.#storage.delete(folder + name);
  }

  /** Secret names and sub-folders under a folder prefix (`''` for the root, else ending in `/`). */
  async listKeys(prefix: string): Promise<string[]> {
    return this.#storage.list(metadataKey(prefix));
  }
}

function metadataKey(path: string): string {
  return `metadata/${path}`;
}

function versionFolder(path: string): string {
  return `versions/${createHash('sha256').update(path).digest('hex')}/`;
}

function versionKey(path: string, version: number): string {
  return `${versionFolder(path)}${version}`;
}
