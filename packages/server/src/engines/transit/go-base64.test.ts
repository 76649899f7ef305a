import { describe, expect, it } from 'vitest';
import { Base64Error, decodeBase64Field, decodeBase64Strict } from './go-base64.js';

const offsetOf = (text: string) => {
  try {
    decodeBase64Strict(text);
  } catch (error) {
    return (error as Base64Error).offset;
  }
  return 'decoded';
};

describe('Go-strict base64', () => {
  it('decodes padded standard base64, ignoring CR and LF as Go does', () => {
    expect(decodeBase64Strict('aGVsbG8=').toString()).toBe('hello');
    expect(decodeBase64Strict('aGVs\r\nbG8=').toString()).toBe('hello');
    expect(decodeBase64Strict('').length).toBe(0);
    expect(decodeBase64Strict('AAEC').equals(Buffer.of(0, 1, 2))).toBe(true);
  });

  // Offsets worked out from Go's decodeQuantum (encoding/base64), which Vault's messages carry.
  it.each([
    ['aGVsbG8', 4], // unpadded tail: the start of the incomplete quantum
    ['abc', 0],
    ['abcde', 4],
    ['ab!d', 2], // a character outside the alphabet
    ['aGVsbG8=x', 8], // garbage after padding
    ['a===', 1], // padding too early
    ['ab=', 3], // "==" expected, input ends
    ['ab=c', 2], // second pad character missing
    ['aGVs bG8=', 4], // spaces are not skipped
    ['aGVsbG8_', 7], // URL alphabet is not the standard one
  ])('refuses %j at input byte %i', (text, offset) => {
    expect(offsetOf(text)).toBe(offset);
  });

  it('words the error as Go does, and as a 400 for request fields', () => {
    expect(() => decodeBase64Strict('abc')).toThrow('illegal base64 data at input byte 0');
    expect(() => decodeBase64Field('ab!d', 'unable to decode input as base64: ')).toThrow(
      expect.objectContaining({ code: 'invalid_request', message: 'unable to decode input as base64: illegal base64 data at input byte 2' }),
    );
  });
});
