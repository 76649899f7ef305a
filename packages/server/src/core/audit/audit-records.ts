import type { AuditAuthInput, AuditLogInput } from '@coffer/audit';
import { isCofferError } from '@coffer/sdk';
import type { Route } from '../mount-manager.js';
import type { CoreRequest, CoreResult } from '../request-handler.js';
import type { TokenEntry } from '../token-store.js';

/**
 * What the audit log records of one request, gathered as the pipeline learns it (route, caller,
 * settled operation), then turned into the broker's input for the request and response entries.
 */
export class AuditRecord {
  readonly #request: CoreRequest;
  readonly #path: string;
  #route: Route | undefined;
  #caller: TokenEntry | undefined;
  #operation: string;

  constructor(request: CoreRequest, path: string) {
    this.#request = request;
    this.#path = path;
    this.#operation = request.operation;
  }

  set route(route: Route | undefined) {
    this.#route = route;
  }

  set caller(caller: TokenEntry | undefined) {
    this.#caller = caller;
  }

  set operation(operation: string) {
    this.#operation = operation;
  }

  request(error?: unknown): AuditLogInput {
    return {
      ...this.#common(),
      ...(error !== undefined ? { error: errorText(error) } : {}),
    };
  }

  response(result: CoreResult | undefined, error?: unknown): AuditLogInput {
    const response = result?.response;
    return {
      ...this.#common(),
      ...(result
        ? {
            response: {
              data: response?.data ?? null,
              ...(result.lease ? { secret: { leaseId: result.lease.id } } : {}),
              ...(result.auth
                ? {
                    auth: {
                      clientToken: result.auth.clientToken,
                      accessor: result.auth.accessor,
                      policies: result.auth.policies,
                      tokenPolicies: result.auth.tokenPolicies,
                      metadata: result.auth.metadata,
                      numUses: result.auth.numUses,
                      tokenType: 'service',
                      tokenTtl: result.auth.leaseDuration,
                    },
                  }
                : {}),
              ...(result.warnings.length ? { warnings: result.warnings } : {}),
              ...(result.wrapInfo
                ? {
                    wrapInfo: {
                      ttl: result.wrapInfo.ttl,
                      token: result.wrapInfo.token,
                      accessor: result.wrapInfo.accessor,
                      creationTime: result.wrapInfo.creationTime,
                      creationPath: result.wrapInfo.creationPath,
                      ...(result.wrapInfo.wrappedAccessor ? { wrappedAccessor: result.wrapInfo.wrappedAccessor } : {}),
                    },
                  }
                : {}),
            },
          }
        : {}),
      ...(error !== undefined ? { error: errorText(error) } : {}),
    };
  }

  #common(): AuditLogInput {
    const route = this.#route;
    const caller = this.#caller;
    const config = route?.entry.config;
    return {
      ...(caller ? { auth: authOf(caller, this.#request.token ?? '') } : {}),
      request: {
        id: this.#request.id,
        operation: this.#operation,
        path: this.#path,
        ...(route
          ? { mountPoint: route.mountPoint, mountType: route.entry.type, mountAccessor: route.entry.accessor, mountClass: route.table === 'auth' ? 'auth' : 'secret' }
          : {}),
        ...(caller ? { clientToken: this.#request.token ?? '', clientTokenAccessor: caller.accessor } : {}),
        data: this.#request.data,
        ...(this.#request.remoteAddress !== undefined ? { remoteAddress: this.#request.remoteAddress } : {}),
        ...(this.#request.remotePort !== undefined ? { remotePort: this.#request.remotePort } : {}),
      },
      ...(config?.audit_non_hmac_request_keys ? { nonHmacRequestKeys: config.audit_non_hmac_request_keys } : {}),
      ...(config?.audit_non_hmac_response_keys ? { nonHmacResponseKeys: config.audit_non_hmac_response_keys } : {}),
    };
  }
}

function authOf(entry: TokenEntry, clientToken: string): AuditAuthInput {
  return {
    clientToken,
    accessor: entry.accessor,
    displayName: entry.displayName,
    policies: entry.policies,
    tokenPolicies: entry.policies,
    metadata: entry.meta,
    entityId: '',
    tokenType: 'service',
    tokenTtl: entry.ttl,
    issueTime: new Date(entry.creationTime * 1000),
  };
}

/** The error as the client saw it; internal failures stay "internal error" in the log too. */
function errorText(error: unknown): string {
  if (isCofferError(error)) return error.code === 'internal' ? 'internal error' : error.message;
  return 'internal error';
}
