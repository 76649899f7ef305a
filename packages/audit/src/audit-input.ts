/**
 * What the request pipeline hands the audit broker for one request or response. Field names are
 * camelCase here and become Vault's snake_case only in the formatted entry. Everything is read,
 * never modified: the broker copies before it hashes.
 */

/** A token's identity as the pipeline resolved it (the caller's), or a token just minted (logins). */
export interface AuditAuthInput {
  clientToken?: string;
  accessor?: string;
  displayName?: string;
  policies?: readonly string[];
  tokenPolicies?: readonly string[];
  identityPolicies?: readonly string[];
  noDefaultPolicy?: boolean;
  policyResults?: AuditPolicyResultsInput;
  metadata?: Readonly<Record<string, string>>;
  /** Uses allowed for a token just minted (response auth only, as Vault). */
  numUses?: number;
  entityId?: string;
  entityCreated?: boolean;
  /** `service`, `batch`…; Vault prints `default` when the token type is unset. */
  tokenType?: string;
  /** Seconds. */
  tokenTtl?: number;
  issueTime?: Date;
}

export interface AuditPolicyResultsInput {
  allowed: boolean;
  grantingPolicies?: readonly { name: string; namespaceId?: string; namespacePath?: string; type: string }[];
}

export interface AuditRequestInput {
  /** The request id (`request_id` in the response envelope). */
  id: string;
  /** `create`, `read`, `update`, `patch`, `delete`, `list`… */
  operation: string;
  /** The full request path, e.g. `secret/data/app`. */
  path: string;
  clientId?: string;
  mountPoint?: string;
  mountType?: string;
  mountAccessor?: string;
  mountRunningVersion?: string;
  mountClass?: string;
  clientToken?: string;
  clientTokenAccessor?: string;
  /** Uses left on a limited-use token after this request. */
  clientTokenRemainingUses?: number;
  /** Defaults to the root namespace, `{ id: 'root' }`. */
  namespace?: { id: string; path?: string };
  data?: Readonly<Record<string, unknown>> | null;
  policyOverride?: boolean;
  remoteAddress?: string;
  remotePort?: number;
  /** Seconds, when the caller asked for a wrapped response. */
  wrapTtl?: number;
  /** Audited request headers only (sys/config/auditing/request-headers), lower-case names. */
  headers?: Readonly<Record<string, readonly string[]>>;
  /** The standby node's address when the request was forwarded to this active node. */
  forwardedFrom?: string;
}

export interface AuditWrapInfoInput {
  /** Seconds. */
  ttl: number;
  token: string;
  accessor: string;
  creationTime: Date;
  creationPath: string;
  wrappedAccessor?: string;
}

export interface AuditResponseInput {
  data?: Readonly<Record<string, unknown>> | null;
  /** Present when the response carries a lease (`lease_id` may be empty). */
  secret?: { leaseId: string };
  /** A token minted by this request (logins, token creation). */
  auth?: AuditAuthInput;
  warnings?: readonly string[];
  redirect?: string;
  wrapInfo?: AuditWrapInfoInput;
  headers?: Readonly<Record<string, readonly string[]>>;
}

export interface AuditLogInput {
  /** The caller's token; absent for unauthenticated requests. */
  auth?: AuditAuthInput;
  request: AuditRequestInput;
  /** Response entries only. */
  response?: AuditResponseInput;
  /** The error the client got (Vault's outer error), e.g. `permission denied`. */
  error?: string;
  /** The mount's `audit_non_hmac_request_keys`: data keys logged in clear. */
  nonHmacRequestKeys?: readonly string[];
  /** The mount's `audit_non_hmac_response_keys`. */
  nonHmacResponseKeys?: readonly string[];
  /** Audited headers configured with `hmac = true`: their values are HMAC'd even with `log_raw`. */
  hmacHeaders?: readonly string[];
}
