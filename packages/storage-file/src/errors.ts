import { CofferError } from '@coffer/sdk';

/** An I/O failure: the storage cannot serve right now. Messages name the operation, never contents. */
export function ioError(message: string, cause: unknown): CofferError {
  return new CofferError('unavailable', message, { cause });
}

/** Data on disk that cannot be trusted or repaired. */
export function corruptionError(message: string, cause?: unknown): CofferError {
  return new CofferError('internal', message, cause === undefined ? {} : { cause });
}

export function isErrnoException(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
