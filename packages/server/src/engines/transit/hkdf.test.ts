import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hkdfSha256 } from './hkdf.js';

describe('HKDF-SHA256 with an empty salt', () => {
  it('matches RFC 5869 test case 3 (zero-length salt and info)', () => {
    const okm = hkdfSha256(Buffer.alloc(22, 0x0b), Buffer.alloc(0), 42);
    expect(okm.toString('hex')).toBe(
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });

  it('matches node:crypto for short contexts, and keeps going past its 1024-byte info limit', () => {
    const key = Buffer.alloc(32, 7);
    const info = Buffer.from('tenant-42');
    expect(hkdfSha256(key, info, 64).equals(Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 64)))).toBe(true);
    expect(hkdfSha256(key, Buffer.alloc(5000, 1), 32)).toHaveLength(32);
  });

  it('gives prefixes of one stream for different lengths (convergent keys rely on it)', () => {
    const key = Buffer.alloc(32, 3);
    const info = Buffer.from('ctx');
    expect(hkdfSha256(key, info, 64).subarray(0, 32).equals(hkdfSha256(key, info, 32))).toBe(true);
  });
});
