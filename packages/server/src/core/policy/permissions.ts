import { CAPABILITY_BIT, DENY_BIT } from './capabilities.js';
import type { ParameterConstraints, PathRule } from './policy.js';

/**
 * What one pattern grants once every policy that names it is merged. Mutable only while an Acl is
 * being built.
 */
export interface Permissions {
  bits: number;
  minWrappingTtl: number;
  maxWrappingTtl: number;
  allowed: Map<string, unknown[]> | undefined;
  denied: Map<string, unknown[]> | undefined;
  required: string[];
  /** Capability bit → the policies that granted it, for audit and `check()`. */
  granting: Map<number, string[]>;
}

function ruleBits(rule: PathRule): number {
  let bits = 0;
  for (const capability of rule.capabilities) bits |= CAPABILITY_BIT[capability];
  return bits;
}

function copyConstraints(source: ParameterConstraints | undefined): Map<string, unknown[]> | undefined {
  return source === undefined ? undefined : new Map([...source].map(([key, values]) => [key, [...values]]));
}

function addGranting(granting: Map<number, string[]>, bits: number, policy: string): void {
  for (const bit of Object.values(CAPABILITY_BIT)) {
    if (!(bits & bit)) continue;
    const names = granting.get(bit);
    if (!names) granting.set(bit, [policy]);
    else if (!names.includes(policy)) names.push(policy);
  }
}

export function permissionsOf(rule: PathRule, policy: string): Permissions {
  const bits = ruleBits(rule);
  const granting = new Map<number, string[]>();
  addGranting(granting, bits, policy);
  return {
    bits,
    minWrappingTtl: rule.minWrappingTtl ?? 0,
    maxWrappingTtl: rule.maxWrappingTtl ?? 0,
    allowed: copyConstraints(rule.allowedParameters),
    denied: copyConstraints(rule.deniedParameters),
    required: [...(rule.requiredParameters ?? [])],
    granting,
  };
}

/**
 * Folds another occurrence of the same pattern into `into`, as Vault's NewACL does: a deny on either
 * side leaves only deny; otherwise capabilities are a union, wrapping TTL bounds take the smaller
 * set value (keeping wrapping tokens short-lived), and parameter constraints accumulate, so a
 * second policy can narrow what the first allowed but never loosen it.
 */
export function mergePermissions(into: Permissions, rule: PathRule, policy: string): void {
  if (into.bits & DENY_BIT) return;
  const bits = ruleBits(rule);
  if (bits & DENY_BIT) {
    into.bits = DENY_BIT;
    into.allowed = undefined;
    into.denied = undefined;
    return;
  }
  into.bits |= bits;
  addGranting(into.granting, bits, policy);
  into.maxWrappingTtl = smallerSet(into.maxWrappingTtl, rule.maxWrappingTtl ?? 0);
  into.minWrappingTtl = smallerSet(into.minWrappingTtl, rule.minWrappingTtl ?? 0);
  into.allowed = mergeConstraints(into.allowed, rule.allowedParameters);
  into.denied = mergeConstraints(into.denied, rule.deniedParameters);
  for (const name of rule.requiredParameters ?? []) {
    if (!into.required.includes(name)) into.required.push(name);
  }
}

/** The smaller of two bounds where 0 means unset. */
function smallerSet(current: number, next: number): number {
  if (next <= 0) return current;
  return current === 0 || next < current ? next : current;
}

/**
 * Vault's merge of allowed/denied maps: keys are added; on a shared key an empty list ("any value")
 * on either side wins, otherwise the value lists are concatenated.
 */
function mergeConstraints(
  current: Map<string, unknown[]> | undefined,
  next: ParameterConstraints | undefined,
): Map<string, unknown[]> | undefined {
  if (next === undefined || next.size === 0) return current;
  if (current === undefined) return copyConstraints(next);
  for (const [key, values] of next) {
    const existing = current.get(key);
    if (values.length === 0 || (existing !== undefined && existing.length === 0)) current.set(key, []);
    else current.set(key, [...values, ...(existing ?? [])]);
  }
  return current;
}
