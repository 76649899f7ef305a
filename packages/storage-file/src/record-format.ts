import { crc32 } from 'node:zlib';

/**
 * The on-disk format of the log. All integers are little-endian.
 *
 * File header (16 bytes): magic "COFFERKV", u32 format version, u32 CRC-32 of the first 12 bytes.
 *
 * Then batches, one per group commit (one write, one fsync): an 8-byte batch header, u32 CRC-32 of
 * the next field and u32 length of the body, then the body, which is whole records. The frame tells
 * recovery where each batch ends, so it can tell a torn last batch (a crash mid-write: truncate)
 * from damage to a batch that later batches follow (which no crash produces: refuse).
 *
 * Record (13-byte header, then the key and value bytes):
 *   u32 CRC-32 of everything after this field (kind, lengths, key, value)
 *   u8  kind: 1 = put, 2 = delete (a tombstone, value length 0)
 *   u32 key length in bytes (UTF-8), u32 value length in bytes
 *
 * The CRC covers the lengths, so a torn or garbage tail is recognised rather than trusted.
 */
export const FILE_MAGIC = Buffer.from('COFFERKV', 'latin1');
export const FORMAT_VERSION = 1;
export const FILE_HEADER_BYTES = 16;
export const BATCH_HEADER_BYTES = 8;
export const RECORD_HEADER_BYTES = 13;

/** Keys longer than this are refused; it also bounds what a header may claim during recovery. */
export const MAX_KEY_BYTES = 64 * 1024;
/** Vault's default request limit is 32 MiB; a barrier adds a few bytes. This leaves room to spare. */
export const MAX_VALUE_BYTES = 128 * 1024 * 1024;
export const MAX_RECORD_BYTES = RECORD_HEADER_BYTES + MAX_KEY_BYTES + MAX_VALUE_BYTES;
/** Batches of several records stay under this; a single larger record is a batch of its own. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;

export const RecordKind = { put: 1, delete: 2 } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

export interface DecodedRecord {
  kind: RecordKind;
  key: string;
  /** A view into the buffer the record was decoded from. */
  value: Buffer;
  /** Header, key and value bytes together. */
  size: number;
}

// fatal: a key that is not valid UTF-8 marks a bad record. ignoreBOM: a key may start with U+FEFF.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function encodeFileHeader(): Buffer {
  const header = Buffer.alloc(FILE_HEADER_BYTES);
  FILE_MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  header.writeUInt32LE(crc32(header.subarray(0, 12)), 12);
  return header;
}

/** Why the header is unusable, or undefined when it is a valid version-1 header. */
export function checkFileHeader(header: Buffer): string | undefined {
  if (header.length < FILE_HEADER_BYTES) return 'file header is truncated';
  if (!header.subarray(0, 8).equals(FILE_MAGIC)) return 'not a Coffer storage file';
  if (header.readUInt32LE(12) !== crc32(header.subarray(0, 12))) return 'file header checksum mismatch';
  const version = header.readUInt32LE(8);
  if (version !== FORMAT_VERSION) return `unsupported format version ${version}`;
  return undefined;
}

export function encodeBatchHeader(bodyLength: number): Buffer {
  const header = Buffer.allocUnsafeSlow(BATCH_HEADER_BYTES);
  header.writeUInt32LE(bodyLength, 4);
  header.writeUInt32LE(crc32(header.subarray(4)), 0);
  return header;
}

/** The body length of the batch header at `at`, or undefined if it is not a valid header. */
export function readBatchHeader(buffer: Buffer, at: number): number | undefined {
  const length = buffer.readUInt32LE(at + 4);
  if (buffer.readUInt32LE(at) !== crc32(buffer.subarray(at + 4, at + 8))) return undefined;
  if (length <= RECORD_HEADER_BYTES || length > Math.max(MAX_BATCH_BYTES, MAX_RECORD_BYTES)) return undefined;
  return length;
}

/** One buffer holding the whole record, so the caller's value is copied exactly once. */
export function encodeRecord(kind: RecordKind, keyBytes: Buffer, value?: Uint8Array): Buffer {
  const valueLength = value?.byteLength ?? 0;
  // allocUnsafeSlow: never the shared pool, so a record buffer cannot alias other secrets' memory.
  const record = Buffer.allocUnsafeSlow(RECORD_HEADER_BYTES + keyBytes.length + valueLength);
  record.writeUInt8(kind, 4);
  record.writeUInt32LE(keyBytes.length, 5);
  record.writeUInt32LE(valueLength, 9);
  keyBytes.copy(record, RECORD_HEADER_BYTES);
  if (value !== undefined) record.set(value, RECORD_HEADER_BYTES + keyBytes.length);
  record.writeUInt32LE(crc32(record.subarray(4)), 0);
  return record;
}

export type HeaderCheck = { ok: true; kind: RecordKind; keyLength: number; size: number } | { ok: false; reason: string };

/** Validates the fixed header (not the CRC, which needs the whole record). */
export function readRecordHeader(buffer: Buffer, at: number): HeaderCheck {
  const kind = buffer.readUInt8(at + 4);
  const keyLength = buffer.readUInt32LE(at + 5);
  const valueLength = buffer.readUInt32LE(at + 9);
  if (kind !== RecordKind.put && kind !== RecordKind.delete) return { ok: false, reason: 'unknown record kind' };
  if (keyLength === 0 || keyLength > MAX_KEY_BYTES) return { ok: false, reason: 'key length out of range' };
  if (valueLength > MAX_VALUE_BYTES) return { ok: false, reason: 'value length out of range' };
  if (kind === RecordKind.delete && valueLength !== 0) return { ok: false, reason: 'tombstone with a value' };
  return { ok: true, kind, keyLength, size: RECORD_HEADER_BYTES + keyLength + valueLength };
}

/** Decodes a complete record that starts at `at`; a string says why it is not a valid record. */
export function decodeRecord(buffer: Buffer, at: number): DecodedRecord | string {
  if (buffer.length - at < RECORD_HEADER_BYTES) return 'record header is truncated';
  const header = readRecordHeader(buffer, at);
  if (!header.ok) return header.reason;
  const end = at + header.size;
  if (end > buffer.length) return 'record is truncated';
  if (buffer.readUInt32LE(at) !== crc32(buffer.subarray(at + 4, end))) return 'record checksum mismatch';
  const keyStart = at + RECORD_HEADER_BYTES;
  let key: string;
  try {
    key = utf8.decode(buffer.subarray(keyStart, keyStart + header.keyLength));
  } catch {
    return 'key is not valid UTF-8';
  }
  return { kind: header.kind, key, value: buffer.subarray(keyStart + header.keyLength, end), size: header.size };
}
