import {
  cloudSaid,
  kmsFailure,
  networkFailure,
  unreachable,
  type FailureContext,
  type SealError,
  type SealFailureReason,
} from './seal-error.js';

interface AzureErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  statusCode?: unknown;
  details?: { error?: { code?: unknown; message?: unknown; innererror?: { code?: unknown } } };
  errorResponse?: { error?: unknown; errorDescription?: unknown };
  errors?: unknown[];
}

const CREDENTIAL_ERRORS = new Set([
  'AuthenticationError',
  'CredentialUnavailableError',
  'AggregateAuthenticationError',
  'AuthenticationRequiredError',
]);

/**
 * Maps @azure/keyvault-keys and @azure/identity errors to a SealError. Key Vault answers with an
 * HTTP status and an error code (`Forbidden`, `KeyNotFound`, `BadParameter`...); a disabled key is
 * a 403 whose inner code or message says so. Credential failures come from @azure/identity.
 */
export function azureKeyVaultFailure(error: unknown, context: FailureContext): SealError {
  const network = networkFailure(error);
  if (network) {
    return unreachable(
      'azurekeyvault',
      network,
      context,
      '"vault_name", "environment" and "resource"',
      'the server certificate and "tls_ca_cert"',
    );
  }
  const e = (error ?? {}) as AzureErrorShape;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  if (CREDENTIAL_ERRORS.has(name)) {
    const aad = e.errorResponse?.errorDescription ?? e.message;
    return kmsFailure('azurekeyvault', 'auth_failed', context, `${name}: ${cloudSaid(aad)}`);
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code = String(e.details?.error?.code ?? e.code ?? '');
  const inner = String(e.details?.error?.innererror?.code ?? '');
  const message = e.details?.error?.message ?? e.message;
  if (code === 'REQUEST_SEND_ERROR') return kmsFailure('azurekeyvault', 'unreachable', context, cloudSaid(message));
  const said = `${status ?? name}${code ? ` ${code}` : ''}: ${cloudSaid(message)}`;
  return kmsFailure('azurekeyvault', reasonFor(status, code, inner, String(message), context.operation), context, said);
}

function reasonFor(
  status: number | undefined,
  code: string,
  inner: string,
  message: string,
  operation: string,
): SealFailureReason {
  if (inner === 'KeyDisabled' || /disabled/i.test(message)) return 'key_disabled';
  // Raised by the SDK itself, before any request, from the key's notBefore/expires dates.
  if (/expired at|can't be used before/i.test(message)) return 'key_disabled';
  switch (status) {
    case 401:
      return 'auth_failed';
    case 403:
      return 'access_denied';
    case 404:
      return 'key_not_found';
    case 429:
      return 'throttled';
    case 400:
      return operation === 'unwrap key' && code === 'BadParameter' ? 'invalid_ciphertext' : 'unknown';
    default:
      return status !== undefined && status >= 500 ? 'unavailable' : 'unknown';
  }
}
