import type { FileHandle } from 'node:fs/promises';
import type { CofferError } from '@coffer/sdk';
import { ioError } from './errors.js';
import type { LogFile } from './log-file.js';
import { BATCH_HEADER_BYTES, encodeBatchHeader, MAX_BATCH_BYTES } from './record-format.js';

interface PendingAppend {
  record: Buffer;
  onDurable: (offset: number) => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}


/**
 * Appends records to the log with group commit: appends that arrive while a batch is being written
 * and fsynced wait, then go out together as the next batch (one framed batch, see record-format)
 * with a single write and a single fdatasync. An append resolves only after its batch is durable, and `onDurable` runs (in log
 * order) before it resolves, so the caller's index never points at bytes that are not on disk.
 */
export class LogWriter {
  #file: LogFile;
  #end: number;
  #queue: PendingAppend[] = [];
  #running: Promise<void> | undefined;
  #paused = 0;
  #exclusiveTail: Promise<unknown> = Promise.resolve();
  #failure: CofferError | undefined;
  readonly #afterCommit: () => void;

  constructor(file: LogFile, end: number, afterCommit: () => void) {
    this.#file = file;
    this.#end = end;
    this.#afterCommit = afterCommit;
  }

  get file(): LogFile {
    return this.#file;
  }

  /** The end of the durable log: every byte before it is fsynced and is a whole record. */
  get end(): number {
    return this.#end;
  }

  /** Set once a failure left the file in a state writes cannot continue from. */
  get failure(): CofferError | undefined {
    return this.#failure;
  }

  append(record: Buffer, onDurable: (offset: number) => void): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ record, onDurable, resolve, reject });
      this.#kick();
    });
  }

  /**
   * Runs `fn` while no batch is in flight and none can start; appends queue up meanwhile. Used by
   * compaction for the short moment it swaps files.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#exclusiveTail.then(async () => {
      this.#paused++;
      try {
        await this.#running;
        return await fn();
      } finally {
        this.#paused--;
        this.#kick();
      }
    });
    this.#exclusiveTail = run.catch(() => {});
    return run;
  }

  /** Switches to a new file whose durable log ends at `end`. Only inside `exclusive`. */
  install(file: LogFile, end: number): void {
    this.#file = file;
    this.#end = end;
  }

  /** Stops all writing: what is queued and what comes later is rejected with `error`. */
  fail(error: CofferError): void {
    this.#failure ??= error;
    for (const pending of this.#queue.splice(0)) pending.reject(this.#failure);
  }

  /** Resolves once every append accepted so far has settled. */
  async drain(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  #kick(): void {
    if (this.#running !== undefined || this.#paused > 0 || this.#queue.length === 0) return;
    // Start on a later microtask so appends made in the same tick share the first batch too.
    this.#running = Promise.resolve()
      .then(() => this.#loop())
      .catch((error: unknown) => this.fail(ioError('file storage writer failed', error)))
      .finally(() => {
        this.#running = undefined;
        this.#kick();
      });
  }

  async #loop(): Promise<void> {
    while (this.#queue.length > 0 && this.#paused === 0 && this.#failure === undefined) {
      await this.#commit(this.#takeBatch());
    }
  }

  // MAX_BATCH_BYTES bounds one batch, so a burst of large values cannot make one write unbounded.
  #takeBatch(): PendingAppend[] {
    let bytes = 0;
    let count = 0;
    for (const pending of this.#queue) {
      if (count > 0 && bytes + pending.record.length > MAX_BATCH_BYTES) break;
      bytes += pending.record.length;
      count++;
    }
    return this.#queue.splice(0, count);
  }

  async #commit(batch: PendingAppend[]): Promise<void> {
    const start = this.#end;
    const handle = this.#file.handle;
    const records = batch.map((pending) => pending.record);
    const bodyLength = records.reduce((sum, record) => sum + record.length, 0);
    try {
      await writeAll(handle, [encodeBatchHeader(bodyLength), ...records], start);
    } catch (error) {
      const failure = ioError('file storage write failed', error);
      // Cut off whatever part of the batch reached the file, so the next batch starts on a record
      // boundary. If even that fails, the tail is unknown: stop (reopening re-scans and repairs).
      await handle.truncate(start).catch((truncateError: unknown) => {
        this.fail(ioError('file storage could not undo a failed write', truncateError));
      });
      for (const pending of batch) pending.reject(failure);
      return;
    }
    try {
      await handle.datasync();
    } catch (error) {
      // After a failed fsync the kernel may have dropped the dirty pages, so nothing since the last
      // good fsync can be trusted: refuse further writes rather than acknowledge on top of a hole.
      const failure = ioError('file storage fsync failed', error);
      this.fail(failure);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    let offset = start + BATCH_HEADER_BYTES;
    for (const pending of batch) {
      pending.onDurable(offset);
      offset += pending.record.length;
    }
    this.#end = offset;
    for (const pending of batch) pending.resolve();
    this.#afterCommit();
  }
}

/** Writes every buffer at `position`, continuing after partial writes. */
export async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers.filter((buffer) => buffer.length > 0);
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending, position);
    if (bytesWritten <= 0) throw new Error('write made no progress');
    position += bytesWritten;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const buffer of pending) {
      if (skip >= buffer.length) {
        skip -= buffer.length;
        continue;
      }
      rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
    pending = rest;
  }
}
