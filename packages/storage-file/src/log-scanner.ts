import type { FileHandle } from 'node:fs/promises';
import {
  BATCH_HEADER_BYTES,
  decodeRecord,
  readBatchHeader,
  readRecordHeader,
  RECORD_HEADER_BYTES,
  type DecodedRecord,
} from './record-format.js';

/** A record found by the scanner, with its place in the file. */
export interface ScannedRecord extends DecodedRecord {
  offset: number;
  /** The whole record as stored, for copying it elsewhere verbatim. */
  bytes: Buffer;
}

export type ScanResult =
  | { validEnd: number; problem?: undefined }
  /**
   * `torn`: the damage is confined to the last batch, the one a crash interrupted: it was never
   * acknowledged and may be cut off. Otherwise acknowledged data lies beyond the damage.
   */
  | { validEnd: number; problem: string; torn: boolean };

const CHUNK_BYTES = 1024 * 1024;

/**
 * Reads the batches from `start` up to `end` sequentially, in large chunks, and hands over the
 * records of each batch once the whole batch is known to be valid. Stops at the first damaged
 * batch and reports where the valid log ends.
 *
 * A batch is written and fsynced before the next is started, so a crash can only damage the last
 * one, in any way (pages reach the disk in any order). Damage followed by a valid batch is
 * therefore not a crash's doing.
 *
 * The records' values and bytes are views into a reused buffer: `onRecord` must copy what it keeps.
 */
export async function scanLog(
  handle: FileHandle,
  start: number,
  end: number,
  onRecord: (record: ScannedRecord) => void | Promise<void>,
): Promise<ScanResult> {
  const reader = new ChunkReader(handle, end);
  let position = start;
  while (position < end) {
    const batch = await readBatch(reader, position);
    if (typeof batch === 'string') {
      const torn = !(await batchFollowsDamagedHeader(reader, position + BATCH_HEADER_BYTES));
      return { validEnd: position, problem: batch, torn };
    }
    if (!Array.isArray(batch.records)) {
      return { validEnd: position, problem: batch.records, torn: batch.end >= end };
    }
    for (const record of batch.records) await onRecord(record);
    position = batch.end;
  }
  return { validEnd: position };
}

interface Batch {
  end: number;
  /** The records, or why the body is not valid. */
  records: ScannedRecord[] | string;
}

/** The batch at `position`, or why its header is unusable. */
async function readBatch(reader: ChunkReader, position: number): Promise<Batch | string> {
  if (reader.end - position < BATCH_HEADER_BYTES) return 'batch header is truncated';
  const header = await reader.view(position, BATCH_HEADER_BYTES);
  const bodyLength = readBatchHeader(header, 0);
  if (bodyLength === undefined) return 'batch header is damaged';
  const end = position + BATCH_HEADER_BYTES + bodyLength;
  if (end > reader.end) return { end, records: 'batch is incomplete' };
  const body = (await reader.view(position, BATCH_HEADER_BYTES + bodyLength)).subarray(BATCH_HEADER_BYTES);
  const records: ScannedRecord[] = [];
  for (let at = 0; at < body.length; ) {
    const decoded = decodeRecord(body, at);
    if (typeof decoded === 'string') return { end, records: decoded };
    const offset = position + BATCH_HEADER_BYTES + at;
    records.push({ ...decoded, offset, bytes: body.subarray(at, at + decoded.size) });
    at += decoded.size;
  }
  return { end, records };
}

/**
 * Whether a damaged batch header is followed by its intact records and then a valid batch: damage
 * in the middle of the log, not a torn tail. Zeros or a half-written batch never look like that.
 */
async function batchFollowsDamagedHeader(reader: ChunkReader, bodyStart: number): Promise<boolean> {
  let position = bodyStart;
  while (reader.end - position >= RECORD_HEADER_BYTES) {
    const header = readRecordHeader(await reader.view(position, RECORD_HEADER_BYTES), 0);
    if (!header.ok || position + header.size > reader.end) break;
    const decoded = decodeRecord(await reader.view(position, header.size), 0);
    if (typeof decoded === 'string') break;
    position += decoded.size;
  }
  if (position === bodyStart || position >= reader.end) return false;
  const next = await readBatch(reader, position);
  return typeof next !== 'string' && Array.isArray(next.records);
}

/** Positional reads through one large buffer, so sequential scanning costs few system calls. */
class ChunkReader {
  readonly end: number;
  readonly #handle: FileHandle;
  #chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  #chunkStart = 0;
  #chunkLength = 0;

  constructor(handle: FileHandle, end: number) {
    this.#handle = handle;
    this.end = end;
  }

  /** A view of [position, position + length), which must lie before `end`; valid until the next call. */
  async view(position: number, length: number): Promise<Buffer> {
    const inChunk = position >= this.#chunkStart && position + length <= this.#chunkStart + this.#chunkLength;
    if (!inChunk) {
      if (length > this.#chunk.length) this.#chunk = Buffer.allocUnsafeSlow(length);
      const want = Math.min(this.#chunk.length, this.end - position);
      let filled = 0;
      while (filled < want) {
        const { bytesRead } = await this.#handle.read(this.#chunk, filled, want - filled, position + filled);
        if (bytesRead === 0) throw new Error('storage log shrank while being read');
        filled += bytesRead;
      }
      this.#chunkStart = position;
      this.#chunkLength = filled;
    }
    const at = position - this.#chunkStart;
    return this.#chunk.subarray(at, at + length);
  }
}
