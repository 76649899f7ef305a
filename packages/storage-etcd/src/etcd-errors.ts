import { CofferError } from '@coffer/sdk';
import { isBrokenCircuitError } from 'cockatiel';
import {
  ClientClosedError,
  EtcdAuthenticationFailedError,
  EtcdPermissionDeniedError,
  GRPCUnauthenticatedError,
  isRecoverableError,
} from 'etcd3';

/** What to do with a failed etcd call: try again (another member, after a pause) or give up with `error`. */
export type Verdict = { retry: true } | { retry: false; error: CofferError };

/**
 * The one table from etcd failures to Coffer's. etcd reports several conditions only in the
 * message text of a gRPC status (they share a status code with retryable ones), so those few are
 * matched by the server's fixed message, the way etcd's own clients do. Messages stay free of
 * endpoints and keys: 5xx text reaches clients; details go to the log through `cause`.
 */
export function judgeEtcdError(error: unknown): Verdict {
  const message = error instanceof Error ? error.message : String(error);
  // RESOURCE_EXHAUSTED, which etcd3 marks retryable; retrying cannot free space.
  if (message.includes('database space exceeded')) {
    return fail(
      'unavailable',
      'storage unavailable: etcd is out of space (its NOSPACE alarm is raised); reads still work, ' +
        'writes need an operator to compact, defragment and disarm the alarm',
      error,
    );
  }
  if (message.includes('request is too large') || message.includes('Sent message larger than max')) {
    return fail('invalid_request', 'the value is too large for etcd: its request limit refused it', error);
  }
  if (message.includes('Received message larger than max')) {
    return fail('internal', "etcd's answer is larger than the client accepts; raise max_receive_size", error);
  }
  if (error instanceof EtcdAuthenticationFailedError || error instanceof GRPCUnauthenticatedError) {
    return fail('unavailable', 'storage unavailable: etcd refused the configured username or password', error);
  }
  if (error instanceof EtcdPermissionDeniedError) {
    return fail('unavailable', "storage unavailable: etcd's access control denied the request", error);
  }
  if (error instanceof ClientClosedError) return fail('unavailable', 'storage unavailable: the etcd storage is closed', error);
  if (isBrokenCircuitError(error)) return { retry: true };
  if (error instanceof Error && isRecoverableError(error)) return { retry: true };
  // etcd's transient server conditions, should a client version not mark them.
  if (/etcdserver: (no leader|leader changed|request timed out|too many requests|server stopped)/.test(message)) {
    return { retry: true };
  }
  return fail('internal', 'etcd failed the request', error);
}

function fail(code: CofferError['code'], message: string, cause: unknown): Verdict {
  return { retry: false, error: new CofferError(code, message, { cause }) };
}
