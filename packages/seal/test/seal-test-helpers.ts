import { expect } from 'vitest';
import { SealError } from '../src/seal-error.js';

/** The SealError a promise rejects with (fails the test if it resolves or rejects with something else). */
export async function sealFailure(promise: Promise<unknown>): Promise<SealError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SealError);
  return error as SealError;
}

/** Fails if any secret (as given, or in hex/base64 when binary) appears in the text. */
export function expectNoSecrets(text: string, secrets: ReadonlyArray<string | Uint8Array>): void {
  for (const secret of secrets) {
    const forms =
      typeof secret === 'string'
        ? [secret]
        : [Buffer.from(secret).toString('hex'), Buffer.from(secret).toString('base64')];
    for (const form of forms) expect(text).not.toContain(form);
  }
}

export const rootKey = (): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (i * 11 + 5) % 256);
export const aad = new TextEncoder().encode('core/sealed-root-key');
