import { createECDH, randomBytes, type KeyObject } from 'node:crypto';
import { bytesToBigInt, toFixedBytes } from './ecdsa-der.js';
import { CURVES, type EcdsaType } from './key-types.js';

/**
 * ECDSA over a digest the caller already computed (Vault's `prehashed=true`). Node signs and verifies
 * ECDSA only over a message it hashes itself, so this path does the final steps here:
 * - the nonce point k·G comes from OpenSSL (an ECDH public key for the private scalar k), which
 *   multiplies in constant time; the scalar equation s = k⁻¹(e + r·d) is computed blinded by a random
 *   factor, so BigInt's variable-time arithmetic only ever yields masked values;
 * - verification only touches public values, so plain BigInt point arithmetic is fine.
 * The digest is truncated to the order's bit length as Go's (and OpenSSL's) ECDSA does.
 */
interface Curve {
  p: bigint;
  n: bigint;
  b: bigint;
  g: Affine;
  bytes: number;
}
interface Affine {
  x: bigint;
  y: bigint;
}
interface Jacobian {
  x: bigint;
  y: bigint;
  z: bigint;
}

const h = (hex: string) => BigInt(`0x${hex}`);

// FIPS 186-4 D.1.2 curves (all with a = -3).
export const CURVE_PARAMS: Readonly<Record<EcdsaType, Curve>> = {
  'ecdsa-p256': {
    p: h('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff'),
    n: h('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
    b: h('5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b'),
    g: {
      x: h('6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296'),
      y: h('4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5'),
    },
    bytes: 32,
  },
  'ecdsa-p384': {
    p: h('fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff'),
    n: h('ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'),
    b: h('b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef'),
    g: {
      x: h('aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7'),
      y: h('3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f'),
    },
    bytes: 48,
  },
  'ecdsa-p521': {
    p: 2n ** 521n - 1n,
    n: h(
      '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
    ),
    b: h(
      '0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00',
    ),
    g: {
      x: h(
        '00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66',
      ),
      y: h(
        '011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650',
      ),
    },
    bytes: 66,
  },
};

/** Go's hashToInt: the digest's leftmost bits, as many as the group order has. */
export function digestToScalar(type: EcdsaType, digest: Uint8Array): bigint {
  const { n } = CURVE_PARAMS[type];
  const orderBits = n.toString(2).length;
  const orderBytes = Math.ceil(orderBits / 8);
  const kept = digest.subarray(0, orderBytes);
  const excess = kept.length * 8 - orderBits;
  const value = bytesToBigInt(kept);
  return excess > 0 ? value >> BigInt(excess) : value;
}

export function signDigest(type: EcdsaType, privateKey: KeyObject, digest: Uint8Array): { r: bigint; s: bigint } {
  const curve = CURVE_PARAMS[type];
  const { n } = curve;
  const d = bytesToBigInt(Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url'));
  const e = digestToScalar(type, digest);
  for (;;) {
    const k = randomScalar(n);
    const ecdh = createECDH(CURVES[type].nodeName);
    ecdh.setPrivateKey(toFixedBytes(k, curve.bytes));
    const point = ecdh.getPublicKey();
    const r = bytesToBigInt(point.subarray(1, 1 + curve.bytes)) % n;
    if (r === 0n) continue;
    // s = (k·b)⁻¹ · (b·e + (b·r)·d) = k⁻¹(e + r·d) for a random b: every intermediate is masked by b.
    const blind = randomScalar(n);
    const s = mod(invert(mod(k * blind, n), n) * mod(mod(e * blind, n) + mod(mod(r * blind, n) * d, n), n), n);
    if (s !== 0n) return { r, s };
  }
}

export function verifyDigest(type: EcdsaType, publicKey: KeyObject, digest: Uint8Array, r: bigint, s: bigint): boolean {
  const curve = CURVE_PARAMS[type];
  const { n } = curve;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const jwk = publicKey.export({ format: 'jwk' });
  const q: Affine = {
    x: bytesToBigInt(Buffer.from(jwk.x as string, 'base64url')),
    y: bytesToBigInt(Buffer.from(jwk.y as string, 'base64url')),
  };
  const w = invert(s, n);
  const u1 = mod(digestToScalar(type, digest) * w, n);
  const u2 = mod(r * w, n);
  const sum = add(curve, multiply(curve, curve.g, u1), multiply(curve, q, u2));
  const affine = toAffine(curve, sum);
  return affine !== undefined && mod(affine.x, n) === r;
}

function randomScalar(n: bigint): bigint {
  const bytes = Math.ceil(n.toString(2).length / 8) + 8; // 64 spare bits make the bias negligible
  return (bytesToBigInt(randomBytes(bytes)) % (n - 1n)) + 1n;
}

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function invert(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}

const INFINITY: Jacobian = { x: 1n, y: 1n, z: 0n };

// Jacobian doubling and addition for a = -3 (EFD dbl-2001-b, add-2007-bl).
function double(c: Curve, P: Jacobian): Jacobian {
  if (P.z === 0n || P.y === 0n) return INFINITY;
  const { p } = c;
  const delta = mod(P.z * P.z, p);
  const gamma = mod(P.y * P.y, p);
  const beta = mod(P.x * gamma, p);
  const alpha = mod(3n * (P.x - delta) * (P.x + delta), p);
  const x = mod(alpha * alpha - 8n * beta, p);
  const z = mod((P.y + P.z) ** 2n - gamma - delta, p);
  const y = mod(alpha * (4n * beta - x) - 8n * gamma * gamma, p);
  return { x, y, z };
}

function add(c: Curve, P: Jacobian, Q: Jacobian): Jacobian {
  if (P.z === 0n) return Q;
  if (Q.z === 0n) return P;
  const { p } = c;
  const z1z1 = mod(P.z * P.z, p);
  const z2z2 = mod(Q.z * Q.z, p);
  const u1 = mod(P.x * z2z2, p);
  const u2 = mod(Q.x * z1z1, p);
  const s1 = mod(P.y * Q.z * z2z2, p);
  const s2 = mod(Q.y * P.z * z1z1, p);
  const hh = mod(u2 - u1, p);
  const rr = mod(2n * (s2 - s1), p);
  if (hh === 0n) return rr === 0n ? double(c, P) : INFINITY;
  const i = mod(4n * hh * hh, p);
  const j = mod(hh * i, p);
  const v = mod(u1 * i, p);
  const x = mod(rr * rr - j - 2n * v, p);
  const y = mod(rr * (v - x) - 2n * s1 * j, p);
  const z = mod(((P.z + Q.z) ** 2n - z1z1 - z2z2) * hh, p);
  return { x, y, z };
}

function multiply(c: Curve, point: Affine, scalar: bigint): Jacobian {
  let result = INFINITY;
  const base: Jacobian = { x: point.x, y: point.y, z: 1n };
  for (const bit of scalar.toString(2)) {
    result = double(c, result);
    if (bit === '1') result = add(c, result, base);
  }
  return result;
}

function toAffine(c: Curve, P: Jacobian): Affine | undefined {
  if (P.z === 0n) return undefined;
  const zInverse = invert(P.z, c.p);
  const z2 = mod(zInverse * zInverse, c.p);
  return { x: mod(P.x * z2, c.p), y: mod(P.y * z2 * zInverse, c.p) };
}
