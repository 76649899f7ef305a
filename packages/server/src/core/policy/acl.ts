import { CofferError, type Operation } from '@coffer/sdk';
import { capabilityNames, DENY_BIT, operationBit, SUDO_BIT } from './capabilities.js';
import { parameterProblem } from './parameters.js';
import type { Permissions } from './permissions.js';
import type { Policy } from './policy.js';
import { RuleIndex } from './rule-index.js';

export interface AclRequest {
  /** The full logical path, e.g. `secret/data/app`; list paths end in `/` (the pipeline adds it). */
  path: string;
  /** The settled operation: create and update are already told apart. */
  operation: Operation;
  /** The request data, checked against parameter constraints on create, read, update and patch. */
  data: Readonly<Record<string, unknown>>;
  /** The path is root-protected: the winning rule must also grant `sudo`. */
  needsSudo: boolean;
  /** The response-wrapping TTL the client asked for, in seconds; absent when not wrapping. */
  wrapTtl?: number | undefined;
}

export interface AclDecision {
  allowed: boolean;
  /** Why not, for logs and tests; clients only ever see "permission denied". */
  reason?: string;
  /** The policies that granted the operation's capability on the winning rule (`["root"]` for root). */
  grantingPolicies: string[];
  /** The winning rule grants `sudo`, or the ACL is root: Vault's "root privileges". */
  sudo: boolean;
}

/**
 * What a set of policies allows, built once per policy set and consulted on every request. The
 * semantics are Vault's (vault/acl.go): an exact rule beats wildcard rules, the single
 * highest-priority wildcard rule beats the rest, the same pattern in several policies is merged,
 * and a deny on the winning rule refuses everything.
 */
export class Acl {
  readonly #root: boolean;
  readonly #index: RuleIndex;

  constructor(policies: readonly Policy[]) {
    this.#root = policies.some((policy) => policy.name === 'root');
    // Vault refuses this combination outright; granting root silently would hide the bug upstream.
    if (this.#root && policies.length !== 1) {
      throw new CofferError('internal', 'other policies present along with root');
    }
    this.#index = new RuleIndex(this.#root ? [] : policies);
  }

  get isRoot(): boolean {
    return this.#root;
  }

  /**
   * The capabilities on a path as `sys/capabilities` reports them: sorted, `["deny"]` when nothing
   * matches or the winning rule denies, `["root"]` for root. Matched as a list request is (a path
   * ending in `/` also matches rules written without it), as Vault does.
   */
  capabilities(path: string): string[] {
    if (this.#root) return ['root'];
    return capabilityNames(this.#index.lookup(trimLeadingSlashes(path), true)?.bits ?? 0);
  }

  check(request: AclRequest): AclDecision {
    if (this.#root) return { allowed: true, grantingPolicies: ['root'], sudo: true };
    const { operation } = request;
    const perms = this.#index.lookup(trimLeadingSlashes(request.path), operation === 'list');
    if (!perms) return denied('no policy grants access to this path', false);
    const sudo = (perms.bits & SUDO_BIT) !== 0;
    if (perms.bits & DENY_BIT) return denied('an explicit deny rule matches this path', false);
    const bit = operationBit(operation);
    if (!(perms.bits & bit)) return denied(`the "${operation}" capability is not granted on this path`, sudo);

    const grantingPolicies = [...(perms.granting.get(bit) ?? [])];
    const refusal =
      wrappingProblem(perms, request.wrapTtl) ??
      (PARAMETER_CHECKED.has(operation) ? parameterProblem(perms, request.data) : undefined) ??
      (request.needsSudo && !sudo ? 'the path is root-protected and the "sudo" capability is not granted' : undefined);
    if (refusal !== undefined) return { allowed: false, reason: refusal, grantingPolicies, sudo };
    return { allowed: true, grantingPolicies, sudo };
  }
}

/** Operations that carry parameters worth constraining, as in Vault. */
const PARAMETER_CHECKED: ReadonlySet<Operation> = new Set<Operation>(['create', 'read', 'update', 'patch']);

function denied(reason: string, sudo: boolean): AclDecision {
  return { allowed: false, reason, grantingPolicies: [], sudo };
}

/** Vault's policy paths start after the API's `/v1/`; a stray leading slash must not dodge a rule. */
function trimLeadingSlashes(path: string): string {
  let start = 0;
  while (path.charCodeAt(start) === 47) start++;
  return start === 0 ? path : path.slice(start);
}

/** `min_wrapping_ttl`/`max_wrapping_ttl`: either bound set makes wrapping mandatory on the path. */
function wrappingProblem(perms: Permissions, wrapTtl: number | undefined): string | undefined {
  const { minWrappingTtl: min, maxWrappingTtl: max } = perms;
  // A TTL of 0 asks for no wrapping, as an absent X-Vault-Wrap-TTL does.
  const ttl = wrapTtl !== undefined && wrapTtl > 0 ? wrapTtl : undefined;
  if (max > 0 && (ttl === undefined || ttl > max)) {
    return `the response must be wrapped with a TTL of at most ${max}s`;
  }
  if (min > 0 && (ttl === undefined || ttl < min)) {
    return `the response must be wrapped with a TTL of at least ${min}s`;
  }
  // Merging can produce bounds no TTL satisfies, even though each block was valid on its own.
  if (min > 0 && max > 0 && max < min) return 'the merged wrapping TTL bounds cannot be met';
  return undefined;
}
