import type { LogicalResponse, Operation } from '@coffer/sdk';
import type { CoreResult, IssuedAuth } from '../core/request-handler.js';

/**
 * Vault's response envelope. Legacy sys endpoints also copy every `data` key to the top level,
 * because old clients read `resp["secret/"]` directly.
 */
const LEGACY_SYS_PATHS = /^(mounts|auth|audit|policy|policies|capabilities|capabilities-self|capabilities-accessor|key-status|ha-status|rotate|wrapping\/wrap)(\/|$)/;

export interface HttpAnswer {
  status: number;
  body?: Record<string, unknown>;
  /** Sent as is with this content type (raw responses). */
  raw?: { contentType: string; body: string };
}

export function envelope(requestId: string, operation: Operation, result: CoreResult): HttpAnswer {
  const response: LogicalResponse | undefined = result.response;
  if (response?.raw) return { status: response.status ?? 200, raw: response.raw };
  if (result.wrapInfo) {
    const w = result.wrapInfo;
    return {
      status: 200,
      body: {
        request_id: requestId,
        lease_id: '',
        renewable: false,
        lease_duration: 0,
        data: null,
        wrap_info: {
          token: w.token,
          accessor: w.accessor,
          ttl: w.ttl,
          creation_time: w.creationTime.toISOString(),
          creation_path: w.creationPath,
          ...(w.wrappedAccessor ? { wrapped_accessor: w.wrappedAccessor } : {}),
        },
        warnings: null,
        auth: null,
        mount_type: result.mountType,
      },
    };
  }
  if (!response || (response.data == null && !result.auth && !result.lease && !result.warnings.length)) {
    // Reads and lists of nothing are 404 with an empty error list; writes of nothing are 204.
    if (operation === 'read' || operation === 'list') return { status: 404, body: { errors: [] } };
    if (!response?.status) return { status: 204 };
  }
  const data = response?.data ?? null;
  const body: Record<string, unknown> = {
    request_id: requestId,
    lease_id: result.lease?.id ?? '',
    renewable: result.lease?.renewable ?? false,
    lease_duration: result.lease?.duration ?? response?.leaseDurationHint ?? 0,
    data,
    wrap_info: null,
    warnings: result.warnings.length ? result.warnings : null,
    auth: result.auth ? authJson(result.auth) : null,
    mount_type: result.mountType,
  };
  if (result.mountType === 'system' && data && LEGACY_SYS_PATHS.test(result.enginePath)) {
    for (const [key, value] of Object.entries(data)) if (!(key in body)) body[key] = value;
  }
  return { status: response?.status ?? 200, body };
}

function authJson(auth: IssuedAuth): Record<string, unknown> {
  return {
    client_token: auth.clientToken,
    accessor: auth.accessor,
    policies: auth.policies,
    token_policies: auth.tokenPolicies,
    metadata: Object.keys(auth.metadata).length ? auth.metadata : null,
    lease_duration: auth.leaseDuration,
    renewable: auth.renewable,
    entity_id: '',
    token_type: 'service',
    orphan: auth.orphan,
    mfa_requirement: null,
    num_uses: auth.numUses,
  };
}
