import { VaultResponseError, VaultTransportError } from './vault-client.js';

/** An error as one log field: Vault's own messages, never request bodies (they hold credentials). */
export function describeError(error: unknown): string {
  if (error instanceof VaultResponseError || error instanceof VaultTransportError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Whether trying the same call again may work: the server was unreachable, sealed, overloaded or
 * failed (5xx, 429, 412). A 4xx answer (denied, revoked, not found) will not change by retrying.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof VaultTransportError) return true;
  if (error instanceof VaultResponseError) return error.status >= 500 || error.status === 429 || error.status === 412;
  return false;
}
