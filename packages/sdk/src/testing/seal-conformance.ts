import { describe, expect, it } from 'vitest';
import type { Seal, SealedBlob } from '../seal.js';

/** The behaviour every Seal must have: round trips, fresh randomness, tamper and AAD detection. */
export function describeSealConformance(name: string, create: () => Promise<Seal>): void {
  describe(`Seal conformance: ${name}`, () => {
    const secret = () => Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 3) % 256);

    it('wraps and unwraps a root key', async () => {
      const seal = await create();
      const blob = await seal.wrap(secret());
      expect(blob.type).toBe(seal.type);
      expect(Buffer.from(await seal.unwrap(blob)).equals(Buffer.from(secret()))).toBe(true);
    });

    it('survives a JSON round trip of the blob', async () => {
      const seal = await create();
      const blob = JSON.parse(JSON.stringify(await seal.wrap(secret()))) as SealedBlob;
      expect(Buffer.from(await seal.unwrap(blob)).equals(Buffer.from(secret()))).toBe(true);
    });

    it('never repeats a ciphertext and never contains the plaintext', async () => {
      const seal = await create();
      const a = await seal.wrap(secret());
      const b = await seal.wrap(secret());
      expect(a.ciphertext).not.toBe(b.ciphertext);
      expect(Buffer.from(a.ciphertext, 'base64').includes(Buffer.from(secret()))).toBe(false);
    });

    it('refuses a tampered blob', async () => {
      const seal = await create();
      const blob = await seal.wrap(secret());
      const raw = Buffer.from(blob.ciphertext, 'base64');
      raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
      await expect(seal.unwrap({ ...blob, ciphertext: raw.toString('base64') })).rejects.toThrow();
    });

    it('binds additional data', async () => {
      const seal = await create();
      const aad = new TextEncoder().encode('core/root-key');
      const blob = await seal.wrap(secret(), { aad });
      expect(Buffer.from(await seal.unwrap(blob, { aad })).equals(Buffer.from(secret()))).toBe(true);
      await expect(seal.unwrap(blob, { aad: new TextEncoder().encode('elsewhere') })).rejects.toThrow();
    });
  });
}
