import { CofferError, type ErrorCode } from '@coffer/sdk';

/**
 * Why a seal call failed, as a closed set the server can switch on (log wording, retry policy)
 * without matching message text.
 */
export const SEAL_FAILURE_REASONS = [
  'access_denied', // the credentials work but may not use the key
  'auth_failed', // the credentials themselves were refused (bad secret, expired token)
  'key_disabled', // the key (or the version that wrapped the blob) is disabled or pending deletion
  'key_not_found', // no such key (or alias, or version) where we looked
  'wrong_region', // the KMS says the request went to the wrong region
  'unreachable', // no answer: connection refused, DNS, TLS, timeout
  'unavailable', // the KMS answered that it cannot serve now (5xx, sealed upstream)
  'throttled', // rate limited
  'invalid_ciphertext', // the KMS refused to unwrap the data key
  'key_mismatch', // the blob was wrapped by another key than this seal is configured for
  'tampered', // the payload does not authenticate under its data key (or other AAD was given)
  'malformed', // the stored blob is not a blob of this seal
  'unknown', // anything else the KMS said
] as const;

export type SealFailureReason = (typeof SEAL_FAILURE_REASONS)[number];

const RETRYABLE: ReadonlySet<SealFailureReason> = new Set(['unreachable', 'unavailable', 'throttled']);

/** A seal failure: names the seal and the reason; the message says which key and what the KMS said. */
export class SealError extends CofferError {
  readonly seal: string;
  readonly reason: SealFailureReason;

  constructor(seal: string, reason: SealFailureReason, message: string, code: ErrorCode = 'upstream') {
    // No `cause`: SDK errors carry the request, headers included (bearer tokens, signatures).
    super(code, `${seal} seal: ${message}`, { retryable: RETRYABLE.has(reason) });
    this.seal = seal;
    this.reason = reason;
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'TimeoutError',
  'RequestTimeout',
]);

/**
 * The network failure behind an SDK error, if that is what it is: SDKs wrap socket errors
 * differently (AWS keeps `code`, Azure copies it, gaxios nests it), so this looks a few levels down.
 */
export function networkFailure(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, name, errno } = current as { code?: unknown; name?: unknown; errno?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    if (typeof errno === 'string' && NETWORK_CODES.has(errno)) return errno;
    if (typeof name === 'string' && NETWORK_CODES.has(name)) return name;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * An `unreachable` SealError for a network failure, with a hint that fits it: the certificate and
 * trust anchors for TLS failures, the address settings for the rest.
 */
export function unreachable(
  seal: string,
  code: string,
  context: FailureContext,
  addressHint: string,
  tlsHint: string,
): SealError {
  return kmsFailure(seal, 'unreachable', context, `${code}; check ${TLS_CODES.has(code) ? tlsHint : addressHint}`);
}

/** What the KMS said, fit for a log line: one line, bounded, no control characters. */
export function cloudSaid(text: unknown): string {
  const line = String(text ?? '')
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line || 'no message';
}

/** True when the caller gave up (AbortSignal): such errors pass through untouched. */
export function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (error === signal.reason || (error as { name?: unknown })?.name === 'AbortError');
}

const PHRASES: Record<SealFailureReason, string> = {
  access_denied: 'access denied',
  auth_failed: 'the credentials were refused',
  key_disabled: 'the key is disabled',
  key_not_found: 'the key was not found',
  wrong_region: 'wrong region',
  unreachable: 'the KMS cannot be reached',
  unavailable: 'the KMS is unavailable',
  throttled: 'throttled by the KMS',
  invalid_ciphertext: 'the KMS refused the wrapped data key as invalid ciphertext',
  key_mismatch: 'the blob was wrapped by another key',
  tampered: 'the sealed data does not authenticate',
  malformed: 'the sealed blob is malformed',
  unknown: 'the KMS call failed',
};

export interface FailureContext {
  /** What was being done: `encrypt`, `decrypt`, `describe key`. */
  operation: string;
  /** The key as configured or recorded (an id, ARN, name or resource name; never key material). */
  key: string;
  /** Where: region, vault URL, address. */
  where?: string;
}

/** A SealError worded the same way for every KMS: operation, key, where, reason, what the KMS said. */
export function kmsFailure(seal: string, reason: SealFailureReason, context: FailureContext, said?: string): SealError {
  const where = context.where ? ` (${context.where})` : '';
  const detail = said ? `: ${said}` : '';
  return new SealError(
    seal,
    reason,
    `${context.operation} with key "${context.key}"${where} failed: ${PHRASES[reason]}${detail}`,
  );
}
