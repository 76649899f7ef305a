import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { corruptionError, ioError } from './errors.js';
import type { KeyIndex, Location } from './key-index.js';
import { LogFile, syncDirectoryOf } from './log-file.js';
import { scanLog } from './log-scanner.js';
import type { LogWriter } from './log-writer.js';
import { BATCH_HEADER_BYTES, encodeBatchHeader, encodeFileHeader, FILE_HEADER_BYTES } from './record-format.js';

export interface CompactionTarget {
  logPath: string;
  tmpPath: string;
  index: KeyIndex;
  writer: LogWriter;
}

export interface CompactionResult {
  bytesBefore: number;
  bytesAfter: number;
}

/** Once the unsynchronised tail is this small, writers are paused to copy the rest. */
const CATCH_UP_BYTES = 1024 * 1024;
const COPY_CHUNK_BYTES = 1024 * 1024;

/**
 * Rewrites the log with only its live records, while writers keep appending to the old file:
 * 1. note the durable end E and the offsets of live records, copy those records to a temp file
 *    in new batches and fsync it (the long part, with writers running);
 * 2. copy the bytes appended after E as they are (whole committed batches, tombstones included),
 *    repeating while writers keep adding;
 * 3. pause writers for the last small tail: copy it, fsync, rename over the log, fsync the
 *    directory, move the index to the new offsets, switch the writer to the new file.
 * A crash before the rename leaves the old log intact (the temp file is removed at startup); after
 * it, the new log holds everything acknowledged, since nothing was acknowledged while paused.
 */
export async function compactLog(target: CompactionTarget, signal: AbortSignal): Promise<CompactionResult> {
  const { index, writer } = target;
  if (writer.failure !== undefined) throw writer.failure;
  const source = writer.file;
  source.acquire();
  const snapshotEnd = writer.end;
  const live = index.offsets();
  const moved = new Map<number, number>();
  let installed = false;
  let tmp: FileHandle | undefined;
  try {
    tmp = await open(target.tmpPath, 'w+', 0o600);
    const out = new Output(tmp);
    await out.writeRaw(encodeFileHeader());
    const scan = await scanLog(source.handle, FILE_HEADER_BYTES, snapshotEnd, async (record) => {
      signal.throwIfAborted();
      if (live.has(record.offset)) moved.set(record.offset, await out.addRecord(record.bytes));
    });
    if (scan.problem !== undefined) {
      throw corruptionError(`storage log is corrupt at offset ${scan.validEnd} (${scan.problem}); compaction stopped`);
    }
    await out.closeBatch();
    const tailBase = out.end; // where the byte at snapshotEnd lands in the new file
    let copied = snapshotEnd;
    await tmp.datasync();
    while (writer.end - copied > CATCH_UP_BYTES) {
      signal.throwIfAborted();
      const to = writer.end;
      await copyRange(source.handle, copied, to, out);
      copied = to;
    }
    signal.throwIfAborted();
    const newFile = tmp;
    return await writer.exclusive(async () => {
      const bytesBefore = writer.end;
      await copyRange(source.handle, copied, bytesBefore, out);
      await newFile.datasync();
      const relocate = (location: Location): Location => {
        if (location.offset >= snapshotEnd) {
          return { offset: tailBase + location.offset - snapshotEnd, size: location.size };
        }
        const offset = moved.get(location.offset);
        if (offset === undefined) throw corruptionError('compaction lost track of a live record');
        return { offset, size: location.size };
      };
      index.check(relocate); // before the rename: a bug here must leave the old log in place
      await rename(target.tmpPath, target.logPath);
      try {
        await syncDirectoryOf(target.logPath);
      } catch (error) {
        // The rename may not survive a crash, so writes to the new file could be lost: stop writing.
        const failure = ioError('could not make the compacted storage log durable', error);
        writer.fail(failure);
        throw failure;
      }
      index.relocate(relocate);
      writer.install(new LogFile(newFile), out.end);
      installed = true;
      return { bytesBefore, bytesAfter: out.end };
    });
  } finally {
    source.release();
    if (installed) {
      void source.retire();
    } else {
      await tmp?.close().catch(() => {});
      await rm(target.tmpPath, { force: true }).catch(() => {});
    }
  }
}

async function copyRange(from: FileHandle, start: number, end: number, out: Output): Promise<void> {
  const chunk = Buffer.allocUnsafeSlow(COPY_CHUNK_BYTES);
  for (let position = start; position < end; ) {
    const { bytesRead } = await from.read(chunk, 0, Math.min(chunk.length, end - position), position);
    if (bytesRead === 0) throw corruptionError('storage log ended before its durable end');
    await out.writeRaw(chunk.subarray(0, bytesRead));
    position += bytesRead;
  }
}

/**
 * Writes the new file sequentially: live records gathered into framed batches of about
 * COPY_CHUNK_BYTES, and raw copies of bytes that are already framed batches. Bytes are copied.
 */
class Output {
  readonly #handle: FileHandle;
  readonly #buffer = Buffer.allocUnsafeSlow(BATCH_HEADER_BYTES + COPY_CHUNK_BYTES);
  #buffered = 0;
  #flushed = 0;

  constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  /** The end of what is written so far; only meaningful when no batch is open. */
  get end(): number {
    return this.#flushed;
  }

  /** Adds a record to the open batch; returns where the record lands in the file. */
  async addRecord(bytes: Buffer): Promise<number> {
    if (this.#buffered > 0 && this.#buffered + bytes.length > COPY_CHUNK_BYTES) await this.closeBatch();
    if (bytes.length > COPY_CHUNK_BYTES) {
      const offset = this.#flushed + BATCH_HEADER_BYTES;
      await this.#write(encodeBatchHeader(bytes.length));
      await this.#write(bytes);
      return offset;
    }
    const offset = this.#flushed + BATCH_HEADER_BYTES + this.#buffered;
    bytes.copy(this.#buffer, BATCH_HEADER_BYTES + this.#buffered);
    this.#buffered += bytes.length;
    return offset;
  }

  async closeBatch(): Promise<void> {
    if (this.#buffered === 0) return;
    encodeBatchHeader(this.#buffered).copy(this.#buffer, 0);
    const length = BATCH_HEADER_BYTES + this.#buffered;
    this.#buffered = 0;
    await this.#write(this.#buffer.subarray(0, length));
  }

  async writeRaw(bytes: Buffer): Promise<void> {
    await this.closeBatch();
    await this.#write(bytes);
  }

  async #write(bytes: Buffer): Promise<void> {
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await this.#handle.write(bytes, done, bytes.length - done, this.#flushed);
      if (bytesWritten <= 0) throw new Error('write made no progress');
      done += bytesWritten;
      this.#flushed += bytesWritten;
    }
  }
}
