import { CofferError, type Storage } from '@coffer/sdk';
import type { AclSource } from './acl-cache.js';
import { Acl } from './policy/acl.js';
import { DEFAULT_POLICY_HCL } from './policy/default-policy.js';
import { normalizePolicyName, parsePolicy } from './policy/parse-policy.js';
import { ROOT_POLICY, type Policy } from './policy/policy.js';

/** Policies live behind the barrier at `sys/policy/<name>` as their original text. */
const PREFIX = 'sys/policy/';

/** Vault's built-in policy of wrapping tokens: read their own cubbyhole response, unwrap. Not editable. */
const RESPONSE_WRAPPING_HCL = `path "cubbyhole/response" {
  capabilities = ["create", "read"]
}
path "sys/wrapping/unwrap" {
  capabilities = ["update"]
}
`;
const IMMUTABLE = new Set(['root', 'response-wrapping']);

interface StoredPolicy {
  name: string;
  text: string;
}

/**
 * The ACL policies: stored text, parsed once, and ACLs built per policy set. An ACL is cached by the
 * (sorted) set of policy names a token holds — every token with the same policies shares it — and
 * the whole cache is dropped whenever any policy changes.
 */
export class PolicyStore {
  readonly #storage: Storage;
  readonly #parsed = new Map<string, { text: string; policy: Policy }>();
  readonly #acls = new Map<string, Promise<Acl>>();

  private constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** Opens the store; the first unseal writes Vault's `default` policy, which operators may edit. */
  static async open(storage: Storage): Promise<PolicyStore> {
    const store = new PolicyStore(storage);
    if (!(await storage.get(`${PREFIX}default`))) await store.set('default', DEFAULT_POLICY_HCL);
    return store;
  }

  /** Names of every policy, `root` included as Vault lists it. */
  async list(): Promise<string[]> {
    const names = (await this.#storage.list(PREFIX)).filter((n) => !n.endsWith('/'));
    return [...new Set([...names, 'root', 'response-wrapping'])].sort();
  }

  /** The policy's text as written, or undefined. */
  async read(name: string): Promise<{ name: string; text: string } | undefined> {
    const normalised = name.trim().toLowerCase();
    if (normalised === 'root') return { name: 'root', text: '' };
    const stored = await this.#load(normalised);
    return stored && { name: stored.name, text: stored.text };
  }

  async set(name: string, text: string): Promise<void> {
    const lower = name.trim().toLowerCase();
    if (IMMUTABLE.has(lower)) throw new CofferError('invalid_request', `cannot update "${lower}" policy`);
    const normalised = normalizePolicyName(name);
    const policy = await parsePolicy(normalised, text);
    const stored: StoredPolicy = { name: normalised, text };
    await this.#storage.put(PREFIX + normalised, Buffer.from(JSON.stringify(stored), 'utf8'));
    this.#parsed.set(normalised, { text, policy });
    this.#acls.clear();
  }

  async delete(name: string): Promise<void> {
    const normalised = name.trim().toLowerCase();
    if (IMMUTABLE.has(normalised)) throw new CofferError('invalid_request', `cannot delete "${normalised}" policy`);
    if (normalised === 'default') throw new CofferError('invalid_request', 'cannot delete "default" policy');
    await this.#storage.delete(PREFIX + normalised);
    this.#parsed.delete(normalised);
    this.#acls.clear();
  }

  /** The ACL for a set of policy names; names without a stored policy grant nothing, as in Vault. */
  aclSource(): AclSource {
    return (names) => {
      const key = [...new Set(names)].sort().join('\n');
      let acl = this.#acls.get(key);
      if (!acl) {
        acl = this.#build(key === '' ? [] : key.split('\n'));
        acl.catch(() => this.#acls.delete(key));
        this.#acls.set(key, acl);
      }
      return acl;
    };
  }

  async #build(names: string[]): Promise<Acl> {
    if (names.includes('root')) return new Acl([ROOT_POLICY]);
    const policies: Policy[] = [];
    for (const name of names) {
      const loaded = await this.#load(name);
      if (loaded) policies.push(loaded.policy);
    }
    return new Acl(policies);
  }

  async #load(name: string): Promise<{ name: string; text: string; policy: Policy } | undefined> {
    if (name === 'response-wrapping') {
      this.#parsed.set(name, this.#parsed.get(name) ?? { text: RESPONSE_WRAPPING_HCL, policy: await parsePolicy(name, RESPONSE_WRAPPING_HCL) });
    }
    const cached = this.#parsed.get(name);
    if (cached) return { name, ...cached };
    const raw = await this.#storage.get(PREFIX + name);
    if (!raw) return undefined;
    const stored = JSON.parse(Buffer.from(raw).toString('utf8')) as StoredPolicy;
    const policy = await parsePolicy(stored.name, stored.text);
    this.#parsed.set(name, { text: stored.text, policy });
    return { name, text: stored.text, policy };
  }
}
