/**
 * ECDSA signature encodings: ASN.1 DER `SEQUENCE { r INTEGER, s INTEGER }` (Vault's `asn1`
 * marshaling, what OpenSSL and X.509 use) and JWS's fixed-width r ‖ s. Decoding DER is strict, as Go's
 * encoding/asn1 is, so a malformed signature is reported as such rather than as merely invalid.
 */
export class SignatureFormatError extends Error {
  override readonly name = 'SignatureFormatError';
}

export function encodeDer(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
}

/** Throws SignatureFormatError with Vault's two messages (invalid / extra data). */
export function decodeDer(der: Uint8Array): { r: bigint; s: bigint } {
  const invalid = () => new SignatureFormatError('supplied signature is invalid');
  const bytes = Buffer.from(der);
  if (bytes[0] !== 0x30) throw invalid();
  const seq = readLength(bytes, 1);
  if (!seq || seq.end + seq.length > bytes.length) throw invalid();
  const end = seq.end + seq.length;
  const r = readInteger(bytes, seq.end, end);
  const s = r && readInteger(bytes, r.next, end);
  if (!r || !s || s.next !== end) throw invalid();
  if (end !== bytes.length) throw new SignatureFormatError('supplied signature contains extra data');
  return { r: r.value, s: s.value };
}

/** Fixed-width big-endian r ‖ s, each `width` bytes (JWS and IEEE P1363). */
export function encodeFixed(r: bigint, s: bigint, width: number): Buffer {
  return Buffer.concat([toFixedBytes(r, width), toFixedBytes(s, width)]);
}

/** As Vault splits a JWS signature: the first half is r, the rest s, whatever the length. */
export function decodeFixed(bytes: Uint8Array): { r: bigint; s: bigint } {
  const half = Math.floor(bytes.length / 2);
  return { r: bytesToBigInt(bytes.subarray(0, half)), s: bytesToBigInt(bytes.subarray(half)) };
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

/** Big-endian, left-padded to `width` bytes; throws RangeError when the value does not fit. */
export function toFixedBytes(value: bigint, width: number): Buffer {
  const hex = value.toString(16).padStart(width * 2, '0');
  if (hex.length > width * 2) throw new RangeError('value does not fit');
  return Buffer.from(hex, 'hex');
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let content = Buffer.from(hex, 'hex');
  // A set top bit would read as negative: DER prepends a zero byte.
  if ((content[0] as number) & 0x80) content = Buffer.concat([Buffer.from([0]), content]);
  return Buffer.concat([Buffer.from([0x02]), derLength(content.length), content]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x100) return Buffer.from([0x81, length]);
  return Buffer.from([0x82, length >> 8, length & 0xff]);
}

function readLength(bytes: Buffer, at: number): { length: number; end: number } | undefined {
  const first = bytes[at];
  if (first === undefined) return undefined;
  if (first < 0x80) return { length: first, end: at + 1 };
  const count = first & 0x7f;
  if (count === 0 || count > 2 || at + 1 + count > bytes.length) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (bytes[at + 1 + i] as number);
  // DER: the short form whenever it fits, and no leading zero length bytes.
  if (length < 0x80 || (count === 2 && length < 0x100)) return undefined;
  return { length, end: at + 1 + count };
}

function readInteger(bytes: Buffer, at: number, limit: number): { value: bigint; next: number } | undefined {
  if (bytes[at] !== 0x02) return undefined;
  const header = readLength(bytes, at + 1);
  if (!header || header.length === 0 || header.end + header.length > limit) return undefined;
  const content = bytes.subarray(header.end, header.end + header.length);
  const first = content[0] as number;
  if (first & 0x80) return undefined; // negative: never a valid r or s
  if (first === 0 && content.length > 1 && !((content[1] as number) & 0x80)) return undefined; // not minimal
  return { value: bytesToBigInt(content), next: header.end + header.length };
}
