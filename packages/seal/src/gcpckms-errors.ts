import {
  cloudSaid,
  kmsFailure,
  networkFailure,
  unreachable,
  type FailureContext,
  type SealError,
  type SealFailureReason,
} from './seal-error.js';

// gRPC status codes, which google-gax reports as numbers; REST errors carry the names.
const GRPC_NAMES: Readonly<Record<number, string>> = {
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};
const HTTP_NAMES: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const FILE_CODES = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR']);

interface GoogleErrorShape {
  code?: unknown;
  message?: unknown;
  details?: unknown;
  status?: unknown;
}

/**
 * Maps @google-cloud/kms errors to a SealError. In REST (fallback) mode a failure is a gaxios error
 * whose `code` is the HTTP status and whose message is Google's JSON error body
 * (`{"error":{"code":403,"message":…,"status":"PERMISSION_DENIED"}}`); in gRPC mode `code` is the
 * gRPC status number. Both are read.
 */
export function gcpCkmsFailure(error: unknown, context: FailureContext): SealError {
  const network = networkFailure(error);
  if (network) return unreachable('gcpckms', network, context, '"endpoint" and the network', 'the server certificate');
  const e = (error ?? {}) as GoogleErrorShape;
  // google-auth-library failing to find or read credentials, before any request.
  if (typeof e.code === 'string' && FILE_CODES.has(e.code)) {
    return kmsFailure('gcpckms', 'auth_failed', context, `cannot read the credentials file (${e.code})`);
  }
  const body = parseBody(e.message);
  const code = typeof e.code === 'number' ? e.code : undefined;
  const status =
    body?.status ??
    (code === undefined ? undefined : code >= 100 ? HTTP_NAMES[code] : GRPC_NAMES[code]) ??
    (typeof e.code === 'string' ? e.code : undefined);
  const message = body?.message ?? (typeof e.details === 'string' && e.details ? e.details : e.message);
  if (status === undefined && /credentials|ENOENT|private key|could not load/i.test(String(message))) {
    return kmsFailure('gcpckms', 'auth_failed', context, cloudSaid(message));
  }
  return kmsFailure(
    'gcpckms',
    reasonFor(status, String(message), context.operation),
    context,
    `${status ?? 'ERROR'}: ${cloudSaid(message)}`,
  );
}

function reasonFor(status: string | undefined, message: string, operation: string): SealFailureReason {
  switch (status) {
    case 'PERMISSION_DENIED':
      return 'access_denied';
    case 'UNAUTHENTICATED':
      return 'auth_failed';
    case 'NOT_FOUND':
      return 'key_not_found';
    case 'FAILED_PRECONDITION':
      // A disabled, destroyed or scheduled-for-destruction version: "... is not enabled, current state is: DISABLED".
      return /not enabled|disabled|destroy/i.test(message) ? 'key_disabled' : 'unknown';
    case 'INVALID_ARGUMENT':
      return operation === 'decrypt' ? 'invalid_ciphertext' : 'unknown';
    case 'RESOURCE_EXHAUSTED':
      return 'throttled';
    case 'UNAVAILABLE':
    case 'INTERNAL':
    case 'DEADLINE_EXCEEDED':
      return 'unavailable';
    default:
      return 'unknown';
  }
}

function parseBody(message: unknown): { status?: string; message?: string } | undefined {
  if (typeof message !== 'string' || !message.trimStart().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(message) as { error?: { status?: unknown; message?: unknown } };
    const status = typeof parsed.error?.status === 'string' ? parsed.error.status : undefined;
    const text = typeof parsed.error?.message === 'string' ? parsed.error.message : undefined;
    return { ...(status ? { status } : {}), ...(text ? { message: text } : {}) };
  } catch {
    return undefined;
  }
}
