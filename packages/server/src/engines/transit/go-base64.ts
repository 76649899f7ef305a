import { CofferError } from '@coffer/sdk';

/**
 * Standard base64 (with padding) decoded as strictly as Go's `base64.StdEncoding`, which is what Vault
 * uses for every transit input. Node's own decoder silently skips bad characters and missing padding,
 * so a typo in a plaintext or context would be accepted and produce different bytes. The error text is
 * Go's (`illegal base64 data at input byte N`, N a byte offset) because Vault returns it verbatim.
 */
export class Base64Error extends Error {
  override readonly name = 'Base64Error';
  constructor(readonly offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALID = new Uint8Array(256);
for (const char of ALPHABET) VALID[char.charCodeAt(0)] = 1;

const WELL_FORMED = /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PAD = 0x3d; // '='
const isNewline = (byte: number | undefined) => byte === 0x0a || byte === 0x0d;

/** Decodes or throws Base64Error at the offset Go reports. Go ignores CR and LF anywhere; so do we. */
export function decodeBase64Strict(text: string): Buffer {
  // Fast path for the well-formed case; the walk below only runs to find where an input goes wrong.
  if (text.length % 4 === 0 && WELL_FORMED.test(text)) return Buffer.from(text, 'base64');
  const src = Buffer.from(text, 'utf8');
  const clean: number[] = [];
  let si = 0;
  while (si < src.length) {
    si = decodeQuantum(src, si, clean);
  }
  return Buffer.from(Buffer.from(clean).toString('latin1'), 'base64');
}

/** One group of four symbols, as Go's decodeQuantum walks it; returns the next offset. */
function decodeQuantum(src: Buffer, start: number, out: number[]): number {
  let si = start;
  for (let j = 0; j < 4; j++) {
    if (si === src.length) {
      if (j === 0) return si;
      // A partial group at the end: padding was required (StdEncoding pads).
      throw new Base64Error(si - j);
    }
    const byte = src[si] as number;
    si++;
    if (VALID[byte]) {
      out.push(byte);
      continue;
    }
    if (isNewline(byte)) {
      j--;
      continue;
    }
    if (byte !== PAD || j < 2) throw new Base64Error(si - 1);
    if (j === 2) {
      // "xx==": the second '=' must follow (newlines aside).
      while (si < src.length && isNewline(src[si])) si++;
      if (si === src.length) throw new Base64Error(src.length);
      if (src[si] !== PAD) throw new Base64Error(si - 1);
      si++;
    }
    while (si < src.length && isNewline(src[si])) si++;
    if (si < src.length) throw new Base64Error(si); // anything after the padding
    return si;
  }
  return si;
}

/** For request fields: a decoding failure is the caller's error (400), worded as Vault words it. */
export function decodeBase64Field(text: string, messagePrefix = ''): Buffer {
  try {
    return decodeBase64Strict(text);
  } catch (error) {
    if (error instanceof Base64Error) throw new CofferError('invalid_request', `${messagePrefix}${error.message}`);
    throw error;
  }
}
