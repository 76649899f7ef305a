import { isDeepStrictEqual } from 'node:util';
import type { Permissions } from './permissions.js';

/**
 * Checks request data against a rule's `required_parameters`, `denied_parameters` and
 * `allowed_parameters`, in Vault's order (vault/acl.go, AllowOperation). Returns why the request
 * is refused, or undefined. Reasons name parameters, never values: values may be secrets.
 */
export function parameterProblem(perms: Permissions, data: Readonly<Record<string, unknown>>): string | undefined {
  // Vault lower-cases the policy's name but looks the request key up as sent.
  for (const name of perms.required) {
    if (!Object.hasOwn(data, name.toLowerCase())) return `the required parameter "${name}" is missing`;
  }
  const keys = Object.keys(data);
  if (keys.length === 0) return undefined;

  const denied = perms.denied;
  if (denied && denied.size > 0) {
    if (denied.has('*')) return 'no parameters are allowed here (denied_parameters has "*")';
    for (const key of keys) {
      const values = denied.get(key.toLowerCase());
      if (values && inDeniedValues(data[key], values)) return `the parameter "${key}" is denied`;
    }
  }

  const allowed = perms.allowed;
  if (!allowed || allowed.size === 0) return undefined;
  const allowsAny = allowed.has('*');
  if (allowsAny && allowed.size === 1) return undefined;
  for (const key of keys) {
    const values = allowed.get(key.toLowerCase());
    if (!values) {
      if (allowsAny) continue;
      return `the parameter "${key}" is not allowed`;
    }
    if (!inAllowedValues(data[key], values)) return `a value of the parameter "${key}" is not allowed`;
  }
  return undefined;
}

/**
 * Allowed when the list is empty (any value), when it holds the value, or, as Vault does since it
 * cannot know a field's type, when the value is a list or a comma-separated string each of whose
 * items the list holds. Unlike Vault, an empty list or empty string is not allowed vacuously: it
 * must itself be in the list.
 */
function inAllowedValues(value: unknown, allowed: readonly unknown[]): boolean {
  if (allowed.length === 0 || inValues(value, allowed)) return true;
  const items = itemsOf(value);
  return items !== undefined && items.length > 0 && items.every((item) => inValues(item, allowed));
}

/** Denied when the list is empty (any value), holds the value, or holds any item of it. */
function inDeniedValues(value: unknown, denied: readonly unknown[]): boolean {
  if (denied.length === 0 || inValues(value, denied)) return true;
  return itemsOf(value)?.some((item) => inValues(item, denied)) ?? false;
}

/** A list's elements, or a string's comma-separated parts (trimmed; none for ""), as Vault splits them. */
function itemsOf(value: unknown): readonly unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return undefined;
  return value === '' ? [] : value.split(',').map((part) => part.trim());
}

/**
 * Vault's valueInParameterList: strings match strings with `*` globs, anything else by deep
 * equality. Types must agree: the policy value `1` matches the number 1, never the string "1".
 */
function inValues(value: unknown, list: readonly unknown[]): boolean {
  const actual = value ?? null;
  return list.some((expected) => {
    if (typeof expected === 'string') return typeof actual === 'string' && globbedMatch(expected, actual);
    return isDeepStrictEqual(expected, actual);
  });
}

/** A leading and/or trailing `*` matches any suffix, prefix or substring; nothing else is special. */
export function globbedMatch(pattern: string, value: string): boolean {
  if (pattern.length < 2) return pattern === value;
  const leading = pattern.startsWith('*');
  const trailing = pattern.endsWith('*');
  if (leading && trailing) return value.includes(pattern.slice(1, -1));
  if (leading) return value.endsWith(pattern.slice(1));
  if (trailing) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}
