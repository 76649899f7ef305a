import { createHmac, randomUUID } from 'node:crypto';

/**
 * A device's salt: Vault generates a UUID and uses its text as the HMAC key, so an operator who
 * moves a device's salt between Vault and Coffer gets the same hashes. Kept behind the barrier by
 * the server; disabling a device forgets it, re-enabling makes a new one.
 */
export type AuditSalt = string | Uint8Array;

export const HMAC_PREFIX = 'hmac-sha256:';

/** A fresh salt for a newly enabled device, in Vault's format (a random UUID). */
export function createAuditSalt(): string {
  return randomUUID();
}

/** `hmac-sha256:<hex>` of `input` under `salt`: what the log shows, and what `sys/audit-hash` returns. */
export function hashValue(salt: AuditSalt, input: string): string {
  return HMAC_PREFIX + createHmac('sha256', salt).update(input, 'utf8').digest('hex');
}

/** A hashing function bound to one salt, for hashing many values of one entry. */
export function saltedHasher(salt: AuditSalt): (input: string) => string {
  return (input) => hashValue(salt, input);
}
