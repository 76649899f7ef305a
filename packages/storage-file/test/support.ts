import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCofferError, type ErrorCode } from '@coffer/sdk';

/** A fresh directory under the OS temp dir; `store` is a path inside it that does not exist yet. */
export async function tempStore(): Promise<{ root: string; store: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'coffer-storage-file-'));
  return { root, store: join(root, 'store'), remove: () => rm(root, { recursive: true, force: true }) };
}

export const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);
export const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : new TextDecoder().decode(value);

/** The CofferError code a promise rejects with (fails the test if it resolves or throws something else). */
export async function rejectionCode(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (error) {
    if (isCofferError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}
