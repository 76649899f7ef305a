import type { AuditAuthInput, AuditLogInput, AuditRequestInput, AuditResponseInput } from './audit-input.js';
import type {
  AuditAuthEntry,
  AuditRequestEntry,
  AuditRequestEntryBody,
  AuditResponseEntry,
  AuditResponseEntryBody,
} from './audit-entry.js';
import { copyAuditData } from './hash-data.js';
import { formatDateNano, formatRfc3339 } from './rfc3339.js';
import { saltedHasher, type AuditSalt } from './salt.js';

/** The per-device options that change what an entry says (Vault's FormatterConfig). */
export interface FormatOptions {
  /** `log_raw`: nothing is HMAC'd. */
  raw: boolean;
  /** `hmac_accessor` (default true): accessors are HMAC'd too. */
  hmacAccessor: boolean;
  /** `elide_list_responses`: list responses log counts instead of names. */
  elideListResponses: boolean;
}

export interface FormatContext extends FormatOptions {
  salt: AuditSalt;
  /** The entry's `time` (RFC3339Nano); Vault leaves it out only in tests. */
  time?: string | undefined;
}

type Hash = ((value: string) => string) | undefined;

export function formatRequestEntry(input: AuditLogInput, context: FormatContext): AuditRequestEntry {
  const hash = context.raw ? undefined : saltedHasher(context.salt);
  const entry: AuditRequestEntry = {
    ...(context.time ? { time: context.time } : {}),
    type: 'request',
    auth: authEntry(input.auth, hash, context.hmacAccessor, {
      remainingUses: input.request.clientTokenRemainingUses,
    }),
    request: requestBody(input, hash, context),
  };
  if (input.error) entry.error = input.error;
  if (input.request.forwardedFrom) entry.forwarded_from = input.request.forwardedFrom;
  return entry;
}

export function formatResponseEntry(input: AuditLogInput, context: FormatContext): AuditResponseEntry {
  const hash = context.raw ? undefined : saltedHasher(context.salt);
  const entry: AuditResponseEntry = {
    ...(context.time ? { time: context.time } : {}),
    type: 'response',
    auth: authEntry(input.auth, hash, context.hmacAccessor, {
      remainingUses: input.request.clientTokenRemainingUses,
      entityCreated: input.auth?.entityCreated,
    }),
    request: requestBody(input, hash, context),
    response: responseBody(input, input.response ?? {}, hash, context),
  };
  if (input.error) entry.error = input.error;
  if (input.request.forwardedFrom) entry.forwarded = true;
  return entry;
}

function authEntry(
  auth: AuditAuthInput | undefined,
  hash: Hash,
  hmacAccessor: boolean,
  extra: { remainingUses?: number | undefined; entityCreated?: boolean | undefined; numUses?: number | undefined },
): AuditAuthEntry {
  const a = auth ?? {};
  const out: AuditAuthEntry = {};
  if (a.clientToken) out.client_token = hash ? hash(a.clientToken) : a.clientToken;
  if (a.accessor) out.accessor = hash && hmacAccessor ? hash(a.accessor) : a.accessor;
  if (a.displayName) out.display_name = a.displayName;
  if (a.policies?.length) out.policies = [...a.policies];
  if (a.tokenPolicies?.length) out.token_policies = [...a.tokenPolicies];
  if (a.identityPolicies?.length) out.identity_policies = [...a.identityPolicies];
  if (a.noDefaultPolicy) out.no_default_policy = true;
  if (a.policyResults) {
    const results: NonNullable<AuditAuthEntry['policy_results']> = { allowed: a.policyResults.allowed };
    if (a.policyResults.grantingPolicies?.length) {
      results.granting_policies = a.policyResults.grantingPolicies.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        ...(p.namespaceId ? { namespace_id: p.namespaceId } : {}),
        ...(p.namespacePath ? { namespace_path: p.namespacePath } : {}),
        type: p.type,
      }));
    }
    out.policy_results = results;
  }
  const metadata = sortedStrings(a.metadata);
  if (metadata) out.metadata = metadata;
  if (extra.numUses) out.num_uses = extra.numUses;
  if (extra.remainingUses) out.remaining_uses = extra.remainingUses;
  if (a.entityId) out.entity_id = a.entityId;
  if (extra.entityCreated) out.entity_created = true;
  out.token_type = a.tokenType || 'default';
  if (a.tokenTtl) out.token_ttl = Math.trunc(a.tokenTtl);
  if (a.issueTime) out.token_issue_time = formatRfc3339(a.issueTime);
  return out;
}

function requestBody(input: AuditLogInput, hash: Hash, context: FormatContext): AuditRequestEntryBody {
  const r: AuditRequestInput = input.request;
  const out: Partial<AuditRequestEntryBody> = {};
  if (r.id) out.id = r.id;
  if (r.clientId) out.client_id = r.clientId;
  if (r.operation) out.operation = r.operation;
  if (r.mountPoint) out.mount_point = r.mountPoint;
  if (r.mountType) out.mount_type = r.mountType;
  if (r.mountAccessor) out.mount_accessor = r.mountAccessor;
  if (r.mountRunningVersion) out.mount_running_version = r.mountRunningVersion;
  if (r.mountClass) out.mount_class = r.mountClass;
  if (r.clientToken) out.client_token = hash ? hash(r.clientToken) : r.clientToken;
  if (r.clientTokenAccessor) {
    out.client_token_accessor = hash && context.hmacAccessor ? hash(r.clientTokenAccessor) : r.clientTokenAccessor;
  }
  const ns = r.namespace ?? { id: 'root' };
  out.namespace = { ...(ns.id ? { id: ns.id } : {}), ...(ns.path ? { path: ns.path } : {}) };
  if (r.path) out.path = r.path;
  if (r.data) {
    const data = copyAuditData(r.data, { hash, nonHmacKeys: input.nonHmacRequestKeys });
    if (Object.keys(data).length) out.data = data;
  }
  if (r.policyOverride) out.policy_override = true;
  if (r.remoteAddress) out.remote_address = r.remoteAddress;
  if (r.remotePort) out.remote_port = r.remotePort;
  if (r.wrapTtl) out.wrap_ttl = Math.trunc(r.wrapTtl);
  const headers = auditedHeaders(r.headers, input.hmacHeaders, context.salt);
  if (headers) out.headers = headers;
  return out as AuditRequestEntryBody;
}

function responseBody(
  input: AuditLogInput,
  resp: AuditResponseInput,
  hash: Hash,
  context: FormatContext,
): AuditResponseEntryBody {
  const r = input.request;
  const out: AuditResponseEntryBody = {};
  if (resp.auth) out.auth = authEntry(resp.auth, hash, context.hmacAccessor, { numUses: resp.auth.numUses });
  if (r.mountPoint) out.mount_point = r.mountPoint;
  if (r.mountType) out.mount_type = r.mountType;
  if (r.mountAccessor) out.mount_accessor = r.mountAccessor;
  if (r.mountRunningVersion) out.mount_running_plugin_version = r.mountRunningVersion;
  if (r.mountClass) out.mount_class = r.mountClass;
  if (resp.secret) out.secret = resp.secret.leaseId ? { lease_id: resp.secret.leaseId } : {};
  if (resp.data) {
    const data = copyAuditData(resp.data, {
      hash,
      nonHmacKeys: input.nonHmacResponseKeys,
      elideList: context.elideListResponses && r.operation === 'list',
    });
    if (Object.keys(data).length) out.data = data;
  }
  if (resp.warnings?.length) out.warnings = [...resp.warnings];
  if (resp.redirect) out.redirect = resp.redirect;
  if (resp.wrapInfo) {
    const w = resp.wrapInfo;
    const hashAccessor = (value: string) => (hash && context.hmacAccessor ? hash(value) : value);
    out.wrap_info = {
      ...(w.ttl ? { ttl: Math.trunc(w.ttl) } : {}),
      ...(w.token ? { token: hash ? hash(w.token) : w.token } : {}),
      ...(w.accessor ? { accessor: hashAccessor(w.accessor) } : {}),
      creation_time: formatDateNano(w.creationTime),
      ...(w.creationPath ? { creation_path: w.creationPath } : {}),
      ...(w.wrappedAccessor ? { wrapped_accessor: hashAccessor(w.wrappedAccessor) } : {}),
    };
  }
  const headers = sortedLists(resp.headers);
  if (headers) out.headers = headers;
  return out;
}

/** Audited headers: the ones configured with `hmac` are hashed with the device's salt even with `log_raw`, as Vault. */
function auditedHeaders(
  headers: Readonly<Record<string, readonly string[]>> | undefined,
  hmacHeaders: readonly string[] | undefined,
  salt: AuditSalt,
): Record<string, string[]> | undefined {
  const sorted = sortedLists(headers);
  if (!sorted || !hmacHeaders?.length) return sorted;
  const hash = saltedHasher(salt);
  const hashed = new Set(hmacHeaders.map((name) => name.toLowerCase()));
  for (const name of Object.keys(sorted)) {
    if (hashed.has(name.toLowerCase())) sorted[name] = (sorted[name] ?? []).map(hash);
  }
  return sorted;
}

function sortedStrings(map: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (!map) return undefined;
  const keys = Object.keys(map).sort();
  if (!keys.length) return undefined;
  return Object.fromEntries(keys.map((k) => [k, map[k] as string]));
}

function sortedLists(
  map: Readonly<Record<string, readonly string[]>> | undefined,
): Record<string, string[]> | undefined {
  if (!map) return undefined;
  const keys = Object.keys(map).sort();
  if (!keys.length) return undefined;
  return Object.fromEntries(keys.map((k) => [k, [...(map[k] ?? [])]]));
}
