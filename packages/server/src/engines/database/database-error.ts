import { CofferError, type ErrorCode } from '@coffer/sdk';
import mysql from 'mysql2';

/**
 * Database failures reach clients and logs as the database's own message, with every secret the
 * operation knew about replaced by `[password]`, as Vault's error-sanitizer middleware does.
 * Driver error objects are never kept as a `cause`: mysql2's carries the full SQL, password
 * included, and loggers print causes.
 */
export function databaseError(error: unknown, what: string, secrets: readonly (string | undefined)[], code: ErrorCode = 'upstream'): CofferError {
  if (error instanceof CofferError) return new CofferError(error.code, scrub(error.message, secrets), { retryable: error.retryable });
  return new CofferError(code, `${what}: ${scrub(driverMessage(error), secrets)}`, { retryable: code === 'upstream' });
}

/** The message a driver gave, including every reason of an AggregateError (one per address tried). */
function driverMessage(error: unknown): string {
  if (error instanceof AggregateError) {
    const reasons = [...new Set(error.errors.map((e: unknown) => driverMessage(e)).filter(Boolean))];
    return reasons.join('; ') || error.message || 'connection failed';
  }
  if (error instanceof Error) return error.message || ((error as { code?: unknown }).code as string | undefined) || error.name;
  return String(error);
}

/** Replaces each secret, and the ways SQL and URLs escape it, with `[password]`. */
export function scrub(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message;
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(secret.replaceAll("'", "''"));
    forms.add(mysql.escape(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret that contains another is replaced whole.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.replaceAll(form, '[password]');
  return out;
}
