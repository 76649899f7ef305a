import { isPlainObject } from '@coffer/sdk';
import { anyGlobMatches } from '../jwt/glob.js';
import type { KubernetesRole } from './kubernetes-role.js';

/** The service account a JWT claims to be (not yet confirmed by TokenReview). */
export interface ClaimedServiceAccount {
  namespace: string;
  name: string;
  /** Empty when the token carries none. */
  uid: string;
  /** Only legacy secret-based tokens name their secret. */
  secretName: string;
  audiences: string[];
}

/**
 * Reads the account out of the claims of either token kind Kubernetes issues: projected tokens
 * (`kubernetes.io: {namespace, serviceaccount: {name, uid}}`), which win when present, or legacy
 * secret-based tokens (`kubernetes.io/serviceaccount/...` claims).
 */
export function claimedServiceAccount(claims: Record<string, unknown>): ClaimedServiceAccount {
  const str = (value: unknown) => (typeof value === 'string' ? value : '');
  const projected = isPlainObject(claims['kubernetes.io']) ? claims['kubernetes.io'] : undefined;
  const account = projected && isPlainObject(projected.serviceaccount) ? projected.serviceaccount : undefined;
  const aud = claims.aud;
  return {
    namespace: projected ? str(projected.namespace) : str(claims['kubernetes.io/serviceaccount/namespace']),
    name: account ? str(account.name) : str(claims['kubernetes.io/serviceaccount/service-account.name']),
    uid: account ? str(account.uid) : str(claims['kubernetes.io/serviceaccount/service-account.uid']),
    secretName: str(claims['kubernetes.io/serviceaccount/secret.name']),
    audiences: typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [],
  };
}

/** The role's name binding: `*` alone allows any name, otherwise one glob must match. */
export function nameAllowed(role: KubernetesRole, name: string): boolean {
  const names = role.boundServiceAccountNames;
  if (names.length === 1 && names[0] === '*') return true;
  return anyGlobMatches(names, name);
}

/** The role's namespace list: `*` first allows any namespace, otherwise one glob must match. */
export function namespaceListed(role: KubernetesRole, namespace: string): boolean {
  const namespaces = role.boundServiceAccountNamespaces;
  if (namespaces.length === 0) return false;
  return namespaces[0] === '*' || anyGlobMatches(namespaces, namespace);
}
