import { createECDH, createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToBigInt, decodeDer, encodeDer, encodeFixed } from './ecdsa-der.js';
import { CURVE_PARAMS, digestToScalar, signDigest, verifyDigest } from './ecdsa-digest.js';
import { CURVES, type EcdsaType } from './key-types.js';

const TYPES: EcdsaType[] = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521'];
const HASH: Record<EcdsaType, string> = { 'ecdsa-p256': 'sha256', 'ecdsa-p384': 'sha384', 'ecdsa-p521': 'sha512' };

describe('ECDSA over caller digests', () => {
  it.each(TYPES)('%s: the curve constants are the ones OpenSSL uses', (type) => {
    const c = CURVE_PARAMS[type];
    const point = (scalar: bigint) => {
      const ecdh = createECDH(CURVES[type].nodeName);
      ecdh.setPrivateKey(Buffer.from(scalar.toString(16).padStart(c.bytes * 2, '0'), 'hex'));
      const raw = ecdh.getPublicKey();
      return { x: bytesToBigInt(raw.subarray(1, 1 + c.bytes)), y: bytesToBigInt(raw.subarray(1 + c.bytes)) };
    };
    expect(point(1n)).toEqual(c.g); // 1·G = G
    expect(point(c.n - 1n)).toEqual({ x: c.g.x, y: c.p - c.g.y }); // (n-1)·G = -G, so n is the order
    expect((c.g.y ** 2n - (c.g.x ** 3n - 3n * c.g.x + c.b)) % c.p).toBe(0n); // G is on y² = x³ - 3x + b
  });

  it.each(TYPES)('%s: signatures over a digest verify with node:crypto over the message', (type) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: CURVES[type].nodeName });
    const message = Buffer.from('the quick brown fox');
    const digest = createHash(HASH[type]).update(message).digest();
    const { r, s } = signDigest(type, privateKey, digest);
    expect(verify(HASH[type], message, publicKey, encodeDer(r, s))).toBe(true);
    expect(verify(HASH[type], message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, encodeFixed(r, s, CURVE_PARAMS[type].bytes))).toBe(true);
  });

  it.each(TYPES)('%s: node:crypto signatures verify over the digest; tampering fails', (type) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: CURVES[type].nodeName });
    const message = Buffer.from('jumps over the lazy dog');
    const digest = createHash(HASH[type]).update(message).digest();
    const { r, s } = decodeDer(sign(HASH[type], message, privateKey));
    expect(verifyDigest(type, publicKey, digest, r, s)).toBe(true);
    expect(verifyDigest(type, publicKey, createHash(HASH[type]).update('other').digest(), r, s)).toBe(false);
    expect(verifyDigest(type, publicKey, digest, r, s + 1n)).toBe(false);
    expect(verifyDigest(type, publicKey, digest, 0n, s)).toBe(false);
    expect(verifyDigest(type, publicKey, digest, CURVE_PARAMS[type].n, s)).toBe(false);
  });

  it('truncates long digests to the order length, as Go and OpenSSL do', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const message = Buffer.from('sha512 on p256');
    const digest = createHash('sha512').update(message).digest();
    expect(digestToScalar('ecdsa-p256', digest)).toBe(bytesToBigInt(digest.subarray(0, 32)));
    const { r, s } = signDigest('ecdsa-p256', privateKey, digest);
    expect(verify('sha512', message, publicKey, encodeDer(r, s))).toBe(true);
    // P-521's order has 521 bits: a 66-byte prefix shifted right by 7.
    const long = Buffer.alloc(80, 0xff);
    expect(digestToScalar('ecdsa-p521', long)).toBe(bytesToBigInt(long.subarray(0, 66)) >> 7n);
  });
});

describe('ECDSA DER', () => {
  it('round trips and is what node:crypto writes', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const der = sign('sha384', Buffer.from('x'), privateKey);
    const { r, s } = decodeDer(der);
    expect(encodeDer(r, s).equals(der)).toBe(true);
  });

  it('tells malformed signatures from ones with trailing bytes, as Vault does', () => {
    const good = encodeDer(5n, 0x80n);
    expect(good.toString('hex')).toBe('3007020105020200' + '80');
    expect(() => decodeDer(Buffer.concat([good, Buffer.of(0)]))).toThrow('supplied signature contains extra data');
    expect(() => decodeDer(Buffer.from('3006020105020180', 'hex'))).toThrow('supplied signature is invalid'); // negative s
    expect(() => decodeDer(Buffer.from('3007020200050201ff', 'hex'))).toThrow('supplied signature is invalid'); // non-minimal
    expect(() => decodeDer(Buffer.alloc(0))).toThrow('supplied signature is invalid');
  });
});
