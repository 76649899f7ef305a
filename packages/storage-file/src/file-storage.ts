import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  assertValidKey,
  CofferError,
  isCofferError,
  silentLogger,
  type ClosableStorage,
  type Logger,
  type StorageCallOptions,
} from '@coffer/sdk';
import { compactLog, type CompactionResult } from './compactor.js';
import { DirLock } from './dir-lock.js';
import { corruptionError, ioError } from './errors.js';
import type { KeyIndex } from './key-index.js';
import type { LogFile } from './log-file.js';
import { recoverLog } from './log-recovery.js';
import { LogWriter } from './log-writer.js';
import { decodeRecord, encodeRecord, FILE_HEADER_BYTES, MAX_KEY_BYTES, MAX_VALUE_BYTES, RecordKind } from './record-format.js';

export const LOG_FILE = 'store.log';

export interface CompactionPolicy {
  /** Compact when garbage is at least this share of the log (default 0.5). */
  garbageRatio?: number;
  /** ... and at least this many bytes (default 16 MiB); `Infinity` turns automatic compaction off. */
  minGarbageBytes?: number;
}

export interface FileStorageOptions {
  /** The directory that holds the store; created (mode 0700) if missing. */
  path: string;
  logger?: Logger;
  compaction?: CompactionPolicy;
}

export interface FileStorageStats {
  keys: number;
  /** Size of the log file. */
  fileBytes: number;
  /** Bytes of the records that hold current values. */
  liveBytes: number;
  /** Overwritten and deleted records (and batch framing), reclaimed by the next compaction. */
  garbageBytes: number;
  compacting: boolean;
  /** Compactions completed since open. */
  compactions: number;
}

export type { CompactionResult };

const DEFAULT_GARBAGE_RATIO = 0.5;
const DEFAULT_MIN_GARBAGE_BYTES = 16 * 1024 * 1024;

/**
 * Opens (creating if needed) the store in `options.path`, taking its lock and recovering from a
 * crash. Fails with `unavailable` when another process holds the directory.
 */
export async function openFileStorage(options: FileStorageOptions): Promise<FileStorage> {
  const dir = resolve(options.path);
  const logger = (options.logger ?? silentLogger).child({ component: 'storage-file' });
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (((await stat(dir)).mode & 0o077) !== 0) {
      logger.warn({ path: dir }, 'storage directory is accessible to other users; 0700 is expected');
    }
  } catch (error) {
    throw ioError(`could not create the storage directory ${dir}`, error);
  }
  const lock = await DirLock.acquire(dir);
  try {
    const logPath = join(dir, LOG_FILE);
    const tmpPath = `${logPath}.tmp`;
    const recovered = await recoverLog(logPath, tmpPath, logger);
    const storage = new FileStorage({ ...recovered, logPath, tmpPath, lock, logger, policy: options.compaction ?? {} });
    logger.info({ path: dir, ...storage.stats() }, 'file storage opened');
    return storage;
  } catch (error) {
    await lock.release().catch(() => {});
    throw error;
  }
}

interface FileStorageParts {
  file: LogFile;
  end: number;
  index: KeyIndex;
  logPath: string;
  tmpPath: string;
  lock: DirLock;
  logger: Logger;
  policy: CompactionPolicy;
}

/**
 * Durable single-node storage: an append-only log of CRC-framed records with group commit, an
 * in-memory index of where each key's latest record is, and background compaction. Obtain one with
 * `openFileStorage`.
 */
export class FileStorage implements ClosableStorage {
  readonly #index: KeyIndex;
  readonly #writer: LogWriter;
  readonly #logPath: string;
  readonly #tmpPath: string;
  readonly #lock: DirLock;
  readonly #logger: Logger;
  readonly #garbageRatio: number;
  readonly #minGarbageBytes: number;
  /** Keys with appends in flight, so a delete racing a put is still written, in order. */
  readonly #inFlight = new Map<string, number>();
  readonly #stopping = new AbortController();
  #compaction: Promise<CompactionResult | undefined> | undefined;
  #compactions = 0;
  /** After a failed automatic compaction, wait for this much more log before trying again. */
  #nextAutoCompactAt = 0;
  #closed: Promise<void> | undefined;

  /** @internal Use `openFileStorage`. */
  constructor(parts: FileStorageParts) {
    this.#index = parts.index;
    this.#logPath = parts.logPath;
    this.#tmpPath = parts.tmpPath;
    this.#lock = parts.lock;
    this.#logger = parts.logger;
    this.#garbageRatio = parts.policy.garbageRatio ?? DEFAULT_GARBAGE_RATIO;
    this.#minGarbageBytes = parts.policy.minGarbageBytes ?? DEFAULT_MIN_GARBAGE_BYTES;
    this.#writer = new LogWriter(parts.file, parts.end, () => this.#maybeCompact());
    this.#maybeCompact();
  }

  async get(key: string, options?: StorageCallOptions): Promise<Uint8Array | undefined> {
    options?.signal?.throwIfAborted();
    encodeKey(key);
    this.#assertOpen();
    // Location and file are read in the same tick, so a compaction cannot pull one from under the other.
    const location = this.#index.get(key);
    if (location === undefined) return undefined;
    const file = this.#writer.file;
    const record = Buffer.allocUnsafeSlow(location.size);
    file.acquire();
    try {
      let filled = 0;
      while (filled < record.length) {
        const { bytesRead } = await file.handle.read(record, filled, record.length - filled, location.offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled < record.length) throw corruptionError('storage log is shorter than its index');
    } catch (error) {
      throw isCofferError(error) ? error : ioError('file storage read failed', error);
    } finally {
      file.release();
    }
    const decoded = decodeRecord(record, 0);
    if (typeof decoded === 'string' || decoded.kind !== RecordKind.put || decoded.key !== key) {
      throw corruptionError(`stored record failed verification (${typeof decoded === 'string' ? decoded : 'wrong record'})`);
    }
    return new Uint8Array(decoded.value.buffer, decoded.value.byteOffset, decoded.value.length);
  }

  async put(key: string, value: Uint8Array, options?: StorageCallOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    const keyBytes = encodeKey(key);
    if (!(value instanceof Uint8Array)) throw new CofferError('invalid_request', 'storage value must be bytes');
    if (value.byteLength > MAX_VALUE_BYTES) {
      throw new CofferError('invalid_request', `storage value exceeds ${MAX_VALUE_BYTES} bytes`);
    }
    this.#assertOpen();
    // Encoding copies the value now, so the caller may reuse its buffer as soon as put returns.
    const record = encodeRecord(RecordKind.put, keyBytes, value);
    await this.#append(key, record, (offset) => this.#index.set(key, { offset, size: record.length }));
  }

  async delete(key: string, options?: StorageCallOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    const keyBytes = encodeKey(key);
    this.#assertOpen();
    if (!this.#index.has(key) && !this.#inFlight.has(key)) return;
    await this.#append(key, encodeRecord(RecordKind.delete, keyBytes), () => this.#index.delete(key));
  }

  async list(prefix: string, options?: StorageCallOptions): Promise<string[]> {
    options?.signal?.throwIfAborted();
    if (typeof prefix !== 'string') throw new CofferError('invalid_request', 'storage list prefix must be a string');
    this.#assertOpen();
    return this.#index.list(prefix);
  }

  stats(): FileStorageStats {
    const fileBytes = this.#writer.end;
    const liveBytes = this.#index.liveBytes;
    return {
      keys: this.#index.size,
      fileBytes,
      liveBytes,
      garbageBytes: fileBytes - FILE_HEADER_BYTES - liveBytes,
      compacting: this.#compaction !== undefined,
      compactions: this.#compactions,
    };
  }

  /**
   * Rewrites the log without garbage now; joins a compaction already running. Writers are paused
   * only while the last few appended bytes are copied and the new file is renamed into place.
   * Resolves undefined if the storage was closed meanwhile.
   */
  compact(): Promise<CompactionResult | undefined> {
    if (this.#closed !== undefined) return Promise.reject(closedError());
    this.#compaction ??= this.#runCompaction().finally(() => {
      this.#compaction = undefined;
    });
    return this.#compaction;
  }

  /** Finishes the writes already accepted, stops compaction, closes the file and frees the lock. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#stopping.abort();
      await this.#compaction?.catch(() => {});
      await this.#writer.drain();
      await this.#writer.file.retire();
      await this.#lock.release();
      this.#logger.info('file storage closed');
    })();
    return this.#closed;
  }

  async #append(key: string, record: Buffer, onDurable: (offset: number) => void): Promise<void> {
    this.#inFlight.set(key, (this.#inFlight.get(key) ?? 0) + 1);
    try {
      await this.#writer.append(record, onDurable);
    } finally {
      const left = (this.#inFlight.get(key) ?? 1) - 1;
      if (left === 0) this.#inFlight.delete(key);
      else this.#inFlight.set(key, left);
    }
  }

  async #runCompaction(): Promise<CompactionResult | undefined> {
    const started = performance.now();
    this.#logger.debug({ ...this.stats() }, 'storage log compaction started');
    try {
      const result = await compactLog(
        { logPath: this.#logPath, tmpPath: this.#tmpPath, index: this.#index, writer: this.#writer },
        this.#stopping.signal,
      );
      this.#compactions++;
      this.#logger.info({ ...result, ms: Math.round(performance.now() - started) }, 'storage log compacted');
      return result;
    } catch (error) {
      if (this.#stopping.signal.aborted) return undefined;
      const failure = isCofferError(error) ? error : ioError('storage log compaction failed', error);
      this.#logger.error({ err: failure }, 'storage log compaction failed');
      throw failure;
    }
  }

  #maybeCompact(): void {
    if (this.#compaction !== undefined || this.#closed !== undefined) return;
    const { fileBytes, garbageBytes } = this.stats();
    if (fileBytes < this.#nextAutoCompactAt) return;
    if (garbageBytes < this.#minGarbageBytes || garbageBytes < this.#garbageRatio * fileBytes) return;
    this.compact().catch(() => {
      this.#nextAutoCompactAt = this.#writer.end + Math.max(this.#minGarbageBytes, 1024 * 1024);
    });
  }

  #assertOpen(): void {
    if (this.#closed !== undefined) throw closedError();
  }
}

const closedError = (): CofferError => new CofferError('unavailable', 'file storage is closed');

function encodeKey(key: string): Buffer {
  try {
    assertValidKey(key);
  } catch (error) {
    throw new CofferError('invalid_request', error instanceof Error ? error.message : 'invalid storage key');
  }
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length > MAX_KEY_BYTES) throw new CofferError('invalid_request', `storage key exceeds ${MAX_KEY_BYTES} bytes`);
  return bytes;
}
