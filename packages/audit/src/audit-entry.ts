/**
 * The JSON entries exactly as Vault writes them (OpenBao `internal/audit/format.go`). Key order is
 * Vault's struct field order; absent keys are Go's `omitempty` (empty strings, zeros, false, empty
 * lists and maps are left out), except the few fields Go writes always (`allowed`, `type` of a
 * granting policy) and objects Vault always allocates (`auth`, `request.namespace`, `response`).
 */

export interface AuditAuthEntry {
  client_token?: string;
  accessor?: string;
  display_name?: string;
  policies?: string[];
  token_policies?: string[];
  identity_policies?: string[];
  no_default_policy?: true;
  policy_results?: {
    allowed: boolean;
    granting_policies?: { name?: string; namespace_id?: string; namespace_path?: string; type: string }[];
  };
  metadata?: Record<string, string>;
  num_uses?: number;
  remaining_uses?: number;
  entity_id?: string;
  entity_created?: true;
  token_type?: string;
  token_ttl?: number;
  token_issue_time?: string;
}

export interface AuditRequestEntryBody {
  id?: string;
  client_id?: string;
  operation?: string;
  mount_point?: string;
  mount_type?: string;
  mount_accessor?: string;
  mount_running_version?: string;
  mount_class?: string;
  client_token?: string;
  client_token_accessor?: string;
  namespace: { id?: string; path?: string };
  path?: string;
  data?: Record<string, unknown>;
  policy_override?: true;
  remote_address?: string;
  remote_port?: number;
  wrap_ttl?: number;
  headers?: Record<string, string[]>;
}

export interface AuditResponseEntryBody {
  auth?: AuditAuthEntry;
  mount_point?: string;
  mount_type?: string;
  mount_accessor?: string;
  /** Vault spells it differently from the request's `mount_running_version`. */
  mount_running_plugin_version?: string;
  mount_class?: string;
  secret?: { lease_id?: string };
  data?: Record<string, unknown>;
  warnings?: string[];
  redirect?: string;
  wrap_info?: {
    ttl?: number;
    token?: string;
    accessor?: string;
    creation_time?: string;
    creation_path?: string;
    wrapped_accessor?: string;
  };
  headers?: Record<string, string[]>;
}

export interface AuditRequestEntry {
  time?: string;
  type: 'request';
  auth: AuditAuthEntry;
  request: AuditRequestEntryBody;
  error?: string;
  forwarded_from?: string;
}

export interface AuditResponseEntry {
  time?: string;
  type: 'response';
  auth: AuditAuthEntry;
  request: AuditRequestEntryBody;
  response: AuditResponseEntryBody;
  error?: string;
  forwarded?: true;
}

export type AuditEntry = AuditRequestEntry | AuditResponseEntry;
