import {
  cloudSaid,
  kmsFailure,
  networkFailure,
  unreachable,
  type FailureContext,
  type SealError,
  type SealFailureReason,
} from './seal-error.js';
import type { TransitReply } from './transit-client.js';

/** A network failure reaching the transit server. */
export function transitUnreachable(error: unknown, context: FailureContext): SealError | undefined {
  const network = networkFailure(error);
  return network
    ? unreachable(
        'transit',
        network,
        context,
        '"address"',
        '"tls_ca_cert", "tls_server_name" and the server certificate',
      )
    : undefined;
}

/**
 * An error reply of Vault's API (`{"errors":[...]}`) as a SealError. Vault says "permission
 * denied" both for a missing policy and for an expired or revoked token, so both read as access denied.
 */
export function transitFailure(reply: TransitReply, context: FailureContext): SealError {
  const errors = Array.isArray(reply.body['errors']) ? reply.body['errors'].map(String) : [];
  const said = `HTTP ${reply.status}: ${cloudSaid(errors.join('; ') || 'no error message')}`;
  return kmsFailure('transit', reasonFor(reply.status, errors.join(' '), context.operation), context, said);
}

function reasonFor(status: number, message: string, operation: string): SealFailureReason {
  if (status === 403) return 'access_denied';
  if (status === 429) return 'throttled';
  if (status >= 500) return 'unavailable'; // includes 503 "Vault is sealed" and standby without forwarding
  if (/key not found|no existing key|not found/i.test(message) || status === 404) return 'key_not_found';
  if (/disallowed by policy|minimum|min_decryption_version|deletion/i.test(message)) return 'key_disabled';
  if (status === 400 && operation === 'decrypt') return 'invalid_ciphertext';
  return 'unknown';
}
