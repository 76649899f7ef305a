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

/**
 * A hashing function bound to one salt, for hashing the values of one entry. It remembers what it
 * hashed: an entry names the client token and its accessor twice (auth and request). The memory
 * lives as long as the entry being formatted, no longer.
 */
export function saltedHasher(salt: AuditSalt): (input: string) => string {
  const seen = new Map<string, string>();
  return (input) => {
    let hashed = seen.get(input);
    if (hashed === undefined) seen.set(input, (hashed = hashValue(salt, input)));
    return hashed;
  };
}
