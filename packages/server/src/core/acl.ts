import type { Operation } from '@coffer/sdk';

/**
 * Access control: which capabilities a set of policies grants on a path. This first version knows
 * the built-in `root` and `default` policies; stored ACL policies arrive with the access issue and
 * plug in through `PolicySource`.
 */
export const CAPABILITIES = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface PathRule {
  /** A path, or a prefix ending in `*`. */
  path: string;
  capabilities: Capability[];
}

export type PolicySource = (name: string) => readonly PathRule[] | undefined;

/** Vault's `default` policy, the parts that apply to what exists so far. */
export const DEFAULT_POLICY: readonly PathRule[] = [
  { path: 'auth/token/lookup-self', capabilities: ['read'] },
  { path: 'auth/token/renew-self', capabilities: ['update'] },
  { path: 'auth/token/revoke-self', capabilities: ['update'] },
  { path: 'sys/capabilities-self', capabilities: ['update'] },
  { path: 'sys/internal/ui/resultant-acl', capabilities: ['read'] },
  { path: 'sys/leases/renew', capabilities: ['update'] },
  { path: 'sys/leases/lookup', capabilities: ['update'] },
  { path: 'sys/renew', capabilities: ['update'] },
  { path: 'cubbyhole/*', capabilities: ['create', 'read', 'update', 'delete', 'list'] },
  { path: 'sys/tools/hash', capabilities: ['update'] },
  { path: 'sys/tools/hash/*', capabilities: ['update'] },
  { path: 'sys/wrapping/wrap', capabilities: ['update'] },
  { path: 'sys/wrapping/lookup', capabilities: ['update'] },
  { path: 'sys/wrapping/unwrap', capabilities: ['update'] },
];

export const builtinPolicies: PolicySource = (name) => (name === 'default' ? DEFAULT_POLICY : undefined);

export class Acl {
  readonly #root: boolean;
  readonly #exact = new Map<string, Set<Capability>>();
  readonly #prefixes: { prefix: string; caps: Set<Capability> }[] = [];

  constructor(policies: readonly string[], source: PolicySource) {
    this.#root = policies.includes('root');
    for (const name of policies) {
      for (const rule of source(name) ?? []) {
        if (rule.path.endsWith('*')) {
          const prefix = rule.path.slice(0, -1);
          let slot = this.#prefixes.find((p) => p.prefix === prefix);
          if (!slot) this.#prefixes.push((slot = { prefix, caps: new Set() }));
          for (const c of rule.capabilities) slot.caps.add(c);
        } else {
          const caps = this.#exact.get(rule.path) ?? new Set<Capability>();
          for (const c of rule.capabilities) caps.add(c);
          this.#exact.set(rule.path, caps);
        }
      }
    }
    // The longest prefix is the most specific, so it decides.
    this.#prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  get isRoot(): boolean {
    return this.#root;
  }

  /** The capabilities on a path: an exact rule wins over prefixes, the longest prefix over shorter ones. */
  capabilities(path: string): Capability[] {
    if (this.#root) return ['root' as Capability];
    const caps = this.#exact.get(path) ?? this.#prefixes.find((p) => path.startsWith(p.prefix))?.caps;
    if (!caps || caps.has('deny') || caps.size === 0) return ['deny'];
    return [...caps].sort();
  }

  allows(path: string, operation: Operation, needsSudo: boolean): boolean {
    if (this.#root) return true;
    const caps = this.capabilities(path);
    return caps.includes(operation) && (!needsSudo || caps.includes('sudo'));
  }
}
