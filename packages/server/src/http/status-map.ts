import type { ErrorCode } from '@coffer/sdk';

/** The one place an error code becomes an HTTP status. Exhaustive: a new code will not compile without a status. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  permission_denied: 403,
  not_found: 404,
  unsupported_path: 404,
  unsupported_operation: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  internal: 500,
  upstream: 502,
  sealed: 503,
  unavailable: 503,
};
