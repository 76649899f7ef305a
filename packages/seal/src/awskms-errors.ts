import {
  cloudSaid,
  kmsFailure,
  networkFailure,
  unreachable,
  type FailureContext,
  type SealError,
  type SealFailureReason,
} from './seal-error.js';

// AWS's error names (the JSON `__type`, which the SDK gives as `error.name`), by what they mean for a seal.
const BY_NAME: Readonly<Record<string, SealFailureReason>> = {
  AccessDeniedException: 'access_denied',
  UnrecognizedClientException: 'auth_failed',
  InvalidSignatureException: 'auth_failed',
  IncompleteSignature: 'auth_failed',
  MissingAuthenticationToken: 'auth_failed',
  ExpiredTokenException: 'auth_failed',
  InvalidClientTokenId: 'auth_failed',
  CredentialsProviderError: 'auth_failed',
  DisabledException: 'key_disabled',
  KMSInvalidStateException: 'key_disabled',
  NotFoundException: 'key_not_found',
  InvalidArnException: 'key_not_found',
  InvalidCiphertextException: 'invalid_ciphertext',
  IncorrectKeyException: 'key_mismatch',
  ThrottlingException: 'throttled',
  LimitExceededException: 'throttled',
  KMSInternalException: 'unavailable',
  DependencyTimeoutException: 'unavailable',
  KeyUnavailableException: 'unavailable',
  ServiceUnavailableException: 'unavailable',
};

/** Maps an AWS SDK error to a SealError that says which key, which region, and what AWS said. */
export function awsKmsFailure(error: unknown, context: FailureContext): SealError {
  const network = networkFailure(error);
  if (network)
    return unreachable(
      'awskms',
      network,
      context,
      '"region" and "endpoint"',
      'the server certificate (NODE_EXTRA_CA_CERTS)',
    );
  const { name, message, $metadata } = (error ?? {}) as {
    name?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const awsName = typeof name === 'string' ? name : 'Error';
  let reason = BY_NAME[awsName] ?? 'unknown';
  // AWS answers a request signed for another region with a signature error that names the region.
  if (awsName === 'InvalidSignatureException' && /region/i.test(String(message))) reason = 'wrong_region';
  const status = $metadata?.httpStatusCode;
  if (reason === 'unknown' && status !== undefined && status >= 500) reason = 'unavailable';
  return kmsFailure('awskms', reason, context, `${awsName}: ${cloudSaid(message)}`);
}
