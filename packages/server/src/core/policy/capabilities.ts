import type { Operation } from '@coffer/sdk';

/**
 * The capabilities a policy may grant. `subscribe` (events) and `recover` (snapshot recovery) are
 * Vault's newer ones: accepted so Vault policies load unchanged, reported by `capabilities()`, but no
 * Coffer operation needs them, so they never allow a request.
 */
export const CAPABILITIES = [
  'create',
  'read',
  'update',
  'patch',
  'delete',
  'list',
  'sudo',
  'deny',
  'subscribe',
  'recover',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** One bit per capability, so merging policies is an OR and a check is an AND. */
export const CAPABILITY_BIT: Readonly<Record<Capability, number>> = {
  deny: 1 << 0,
  create: 1 << 1,
  read: 1 << 2,
  update: 1 << 3,
  delete: 1 << 4,
  list: 1 << 5,
  sudo: 1 << 6,
  patch: 1 << 7,
  subscribe: 1 << 8,
  recover: 1 << 9,
};

export const DENY_BIT = CAPABILITY_BIT.deny;
export const SUDO_BIT = CAPABILITY_BIT.sudo;

const KNOWN = new Set<string>(CAPABILITIES);

export function isCapability(value: string): value is Capability {
  return KNOWN.has(value);
}

/** Alphabetical, as `sys/capabilities` returns them (Vault sorts the list before answering). */
const SORTED = [...CAPABILITIES].filter((c) => c !== 'deny').sort();

/**
 * The capability names for a bitmap, sorted. An explicit deny, or a matching rule that grants
 * nothing, reads as `["deny"]`, as in Vault.
 */
export function capabilityNames(bits: number): string[] {
  if (bits & DENY_BIT) return ['deny'];
  const names = SORTED.filter((c) => bits & CAPABILITY_BIT[c]);
  return names.length === 0 ? ['deny'] : names;
}

/** The capability an operation needs: capability follows the (settled) operation, one to one. */
export function operationBit(operation: Operation): number {
  return CAPABILITY_BIT[operation];
}
