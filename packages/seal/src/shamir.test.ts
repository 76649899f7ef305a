import { randomBytes } from 'node:crypto';
import { CofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { combineShares, splitKey } from './shamir.js';

/** Every k-element subset of `items`, in order. */
function subsets<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  const out: T[][] = [];
  items.forEach((item, i) => {
    for (const rest of subsets(items.slice(i + 1), k - 1)) out.push([item, ...rest]);
  });
  return out;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

async function expectInvalid(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CofferError);
  expect((error as CofferError).code).toBe('invalid_request');
  expect((error as CofferError).message).toMatch(message);
}

// GF(2^8) with Vault's (and AES's) polynomial x⁸+x⁴+x³+x+1, by shift-and-add rather than the
// library's log tables, so the tests check the share format against an independent implementation.
function gfMul(a: number, b: number): number {
  let product = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) product ^= a;
    const carry = a & 0x80;
    a = (a << 1) & 0xff;
    if (carry) a ^= 0x1b;
    b >>= 1;
  }
  return product;
}
function gfInverse(a: number): number {
  for (let b = 1; b < 256; b++) if (gfMul(a, b) === 1) return b;
  throw new Error(`${a} has no inverse`);
}
/** Lagrange interpolation at x = 0, reading shares as Vault lays them out: y bytes, then x. */
function referenceCombine(shares: Uint8Array[]): Uint8Array {
  const length = (shares[0]?.length ?? 1) - 1;
  const xs = shares.map((share) => share[length] ?? 0);
  return Uint8Array.from({ length }, (_, byte) => {
    let secret = 0;
    xs.forEach((xi, i) => {
      let basis = 1;
      xs.forEach((xj, j) => {
        if (i !== j) basis = gfMul(basis, gfMul(xj, gfInverse(xi ^ xj)));
      });
      secret ^= gfMul(shares[i]?.[byte] ?? 0, basis);
    });
    return secret;
  });
}

describe('splitKey / combineShares', () => {
  it('treats 1-of-1 as no split, as Vault does, and returns fresh memory', async () => {
    const secret = randomBytes(32);
    const [share, ...rest] = await splitKey(secret, 1, 1);
    expect(rest).toEqual([]);
    expect(hex(share!)).toBe(hex(secret));
    const combined = await combineShares([share!]);
    expect(hex(combined)).toBe(hex(secret));
    // Callers zero their buffers: neither result may alias its input.
    secret.fill(0);
    expect(hex(share!)).not.toBe(hex(secret));
    share!.fill(0);
    expect(combined.some((byte) => byte !== 0)).toBe(true);
  });

  for (const [shares, threshold] of [
    [2, 2],
    [3, 2],
    [5, 3],
    [5, 5],
    [6, 4],
  ] as const) {
    it(`${threshold} of ${shares}: every ${threshold}-share subset rebuilds the secret, in any order`, async () => {
      const secret = randomBytes(32);
      const parts = await splitKey(secret, shares, threshold);
      expect(parts).toHaveLength(shares);
      const groups = subsets(parts, threshold);
      for (const group of groups) {
        expect(hex(await combineShares(group))).toBe(hex(secret));
        expect(hex(await combineShares([...group].reverse()))).toBe(hex(secret));
      }
      // More than the threshold works too.
      expect(hex(await combineShares(parts))).toBe(hex(secret));
    });
  }

  it('255 of 255 round trips, and 254 of them do not', async () => {
    const secret = randomBytes(32);
    const parts = await splitKey(secret, 255, 255);
    expect(hex(await combineShares(parts))).toBe(hex(secret));
    expect(hex(await combineShares(parts.slice(1)))).not.toBe(hex(secret));
  });

  it('fewer shares than the threshold give a different secret of the same length', async () => {
    const secret = randomBytes(32);
    const parts = await splitKey(secret, 5, 3);
    for (const group of subsets(parts, 2)) {
      const wrong = await combineShares(group);
      expect(wrong).toHaveLength(32);
      expect(hex(wrong)).not.toBe(hex(secret));
    }
  });

  it('accepts Node Buffers, which the library itself refuses', async () => {
    const secret = Buffer.from(randomBytes(16));
    const parts = (await splitKey(secret, 3, 2)).map((share) => Buffer.from(share));
    expect(hex(await combineShares(parts.slice(0, 2)))).toBe(hex(secret));
  });

  it('never gives the same shares twice for the same secret', async () => {
    const secret = randomBytes(32);
    const a = await splitKey(secret, 3, 2);
    const b = await splitKey(secret, 3, 2);
    expect(a.map(hex)).not.toEqual(b.map(hex));
  });

  it("refuses split parameters Vault refuses, with invalid_request", async () => {
    const secret = randomBytes(32);
    await expectInvalid(splitKey(secret, 0, 0), /secret_shares must be at least 1/);
    await expectInvalid(splitKey(secret, 256, 3), /secret_shares must be at most 255/);
    await expectInvalid(splitKey(secret, 3, 0), /secret_threshold must be at least 1/);
    await expectInvalid(splitKey(secret, 3, 4), /cannot be larger than secret_shares/);
    await expectInvalid(splitKey(secret, 3, 1), /at least 2 when there is more than one share/);
    await expectInvalid(splitKey(secret, 2.5, 2), /secret_shares/);
    await expectInvalid(splitKey(secret, 3, Number.NaN), /secret_threshold/);
    await expectInvalid(splitKey(new Uint8Array(0), 3, 2), /non-empty/);
  });

  it('refuses duplicate, unequal, empty and index-0 shares, with invalid_request', async () => {
    const parts = await splitKey(randomBytes(32), 3, 2);
    const [a, b] = parts as [Uint8Array, Uint8Array];
    await expectInvalid(combineShares([a, a]), /same share index/);
    const sameIndex = Uint8Array.from(b);
    sameIndex[32] = a[32]!;
    await expectInvalid(combineShares([a, sameIndex]), /same share index/);
    await expectInvalid(combineShares([a, b.subarray(1)]), /same length/);
    await expectInvalid(combineShares([]), /at least one/);
    await expectInvalid(combineShares([new Uint8Array(0)]), /empty/);
    await expectInvalid(combineShares([Uint8Array.of(1), Uint8Array.of(2)]), /at least 2 bytes/);
    const zeroIndex = Uint8Array.from(b);
    zeroIndex[32] = 0;
    await expectInvalid(combineShares([a, zeroIndex]), /share index \(0\)/);
  });
});

describe('share format (Vault-compatible)', () => {
  it('is the secret length plus one trailing, unique, non-zero x-coordinate byte', async () => {
    const secret = randomBytes(32);
    const parts = await splitKey(secret, 255, 2);
    const xs = parts.map((share) => {
      expect(share).toHaveLength(33);
      return share[32]!;
    });
    expect(new Set(xs).size).toBe(255);
    expect(xs.every((x) => x >= 1 && x <= 255)).toBe(true);
  });

  it('matches an independent GF(2^8) interpolation over the y bytes, x last', async () => {
    const secret = randomBytes(32);
    const parts = await splitKey(secret, 5, 3);
    for (const group of subsets(parts, 3)) expect(hex(referenceCombine(group))).toBe(hex(secret));
  });

  it('combines a hand-made share set built with the reference field', async () => {
    // f(x) = secret + 0x17·x + 0xa9·x², evaluated at x = 0x03, 0x53 and 0xfe for each byte.
    const secret = Uint8Array.of(0x00, 0x42, 0xff);
    const share = (x: number) =>
      Uint8Array.from([...secret].map((s) => s ^ gfMul(0x17, x) ^ gfMul(0xa9, gfMul(x, x))).concat(x));
    expect(hex(await combineShares([share(0x03), share(0x53), share(0xfe)]))).toBe('0042ff');
  });
});
