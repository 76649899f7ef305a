/** Vault's response envelope as the CLI reads it (api.Secret). */
export interface Secret {
  request_id?: string;
  lease_id?: string;
  lease_duration?: number;
  renewable?: boolean;
  data?: Record<string, unknown> | null;
  warnings?: string[] | null;
  auth?: SecretAuth | null;
  wrap_info?: Record<string, unknown> | null;
  mount_type?: string;
}

export interface SecretAuth {
  client_token: string;
  accessor: string;
  policies?: string[] | null;
  token_policies?: string[] | null;
  identity_policies?: string[] | null;
  metadata?: Record<string, string> | null;
  orphan?: boolean;
  entity_id?: string;
  lease_duration: number;
  renewable: boolean;
  mfa_requirement?: unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A parsed body as a Secret, or undefined when it is not a JSON object. */
export function asSecret(body: unknown): Secret | undefined {
  return isRecord(body) ? (body as Secret) : undefined;
}

/** `data` as a map, or undefined. */
export function dataOf(secret: Secret | undefined): Record<string, unknown> | undefined {
  return secret && isRecord(secret.data) ? secret.data : undefined;
}
