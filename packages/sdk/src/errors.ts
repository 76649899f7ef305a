/**
 * The one error type of Coffer. Every failure a caller can see carries a code from this closed set;
 * the HTTP layer maps codes to statuses in one exhaustive table, so no status is ever chosen by
 * matching message text. Retired codes are never reused.
 */
export const ERROR_CODES = [
  'invalid_request', // 400: the caller sent something we cannot accept
  'permission_denied', // 403: missing, unknown or insufficient token
  'not_found', // 404: the path is valid but nothing is stored there
  'unsupported_path', // 404: no engine serves this path
  'unsupported_operation', // 405: the path exists but not with this method
  'payload_too_large', // 413
  'unsupported_media_type', // 415
  'too_many_requests', // 429
  'internal', // 500: a bug or an unexpected failure; the message never reaches the client
  'upstream', // 502: a third party (KMS, database) failed
  'sealed', // 503: the barrier is sealed
  'unavailable', // 503: storage or the active node cannot be reached right now
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface CofferErrorOptions {
  cause?: unknown;
  /** Extra JSON returned beside `errors`, as Vault does for some failures. */
  data?: Record<string, unknown>;
  /** Marks failures a retry policy may retry (transient storage or network faults). */
  retryable?: boolean;
}

export class CofferError extends Error {
  override readonly name = 'CofferError';
  readonly code: ErrorCode;
  readonly data: Record<string, unknown> | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: CofferErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.data = options.data;
    this.retryable = options.retryable ?? false;
  }
}

export function isCofferError(value: unknown): value is CofferError {
  return value instanceof CofferError;
}

/** Turns anything thrown into a CofferError; unknown values become `internal` with the original as cause. */
export function toCofferError(value: unknown): CofferError {
  if (value instanceof CofferError) return value;
  return new CofferError('internal', 'internal error', { cause: value });
}

export const invalidRequest = (message: string, options?: CofferErrorOptions): CofferError =>
  new CofferError('invalid_request', message, options);

export const permissionDenied = (): CofferError => new CofferError('permission_denied', 'permission denied');
