import { isPlainObject } from '@coffer/sdk';
import { describeNetworkError, type HttpJsonClient } from '../jwt/http-json-client.js';

/** Who the API server says the token belongs to. */
export interface ReviewedAccount {
  namespace: string;
  name: string;
  uid: string;
}

/** A TokenReview that did not confirm the token; `unreachable` when the API server could not be asked. */
export class ReviewFailure extends Error {
  override readonly name = 'ReviewFailure';
  readonly unreachable: boolean;

  constructor(message: string, unreachable = false) {
    super(message);
    this.unreachable = unreachable;
  }
}

export interface ReviewRequest {
  host: string;
  jwt: string;
  /** The bearer for the call: the reviewer JWT, or the client's own JWT when none is configured. */
  bearer: string;
  bearerIsReviewer: boolean;
  audiences: readonly string[];
  signal?: AbortSignal;
}

/**
 * Asks the API server (`POST /apis/authentication.k8s.io/v1/tokenreviews`) whether the JWT is a
 * live service-account token, with the checks Vault's token_review.go makes on the answer: a 2xx
 * that is not a Status failure, no `status.error`, `authenticated`, an audience in common with the
 * ones asked for, and a `system:serviceaccount:<ns>:<name>` user. Throws ReviewFailure saying which
 * check failed (for the log; the client only sees 403).
 */
export async function reviewToken(client: HttpJsonClient, request: ReviewRequest): Promise<ReviewedAccount> {
  const audiences = [...request.audiences];
  let reply;
  try {
    reply = await client.request({
      method: 'POST',
      url: `${request.host}/apis/authentication.k8s.io/v1/tokenreviews`,
      headers: { authorization: `Bearer ${request.bearer}` },
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token: request.jwt, ...(audiences.length > 0 ? { audiences } : {}) },
      },
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (error) {
    throw new ReviewFailure(`cannot reach the Kubernetes API at ${request.host}: ${describeNetworkError(error)}`, true);
  }
  const body = isPlainObject(reply.json) ? reply.json : undefined;
  if (reply.status < 200 || reply.status > 206) throw new ReviewFailure(httpFailure(reply.status, body, reply.text, request.bearerIsReviewer));
  if (!body) throw new ReviewFailure('lookup failed: the TokenReview answer is not JSON');
  if (body.kind === 'Status' && body.status !== 'Success') throw new ReviewFailure(`lookup failed: ${String(body.message ?? 'unknown failure')}`);

  const status = isPlainObject(body.status) ? body.status : {};
  if (typeof status.error === 'string' && status.error !== '') throw new ReviewFailure(`lookup failed: ${status.error}`);
  if (status.authenticated !== true) throw new ReviewFailure('lookup failed: service account jwt not valid');
  if (audiences.length > 0) {
    const confirmed = Array.isArray(status.audiences) ? status.audiences : [];
    if (!audiences.some((aud) => confirmed.includes(aud))) {
      throw new ReviewFailure(`lookup failed: service account jwt valid for audience(s) ${JSON.stringify(confirmed)}, but wanted ${JSON.stringify(audiences)}`);
    }
  }
  const user = isPlainObject(status.user) ? status.user : {};
  const parts = typeof user.username === 'string' ? user.username.split(':') : [];
  if (parts.length !== 4) throw new ReviewFailure('lookup failed: unexpected username format');
  if (parts[0] !== 'system' || parts[1] !== 'serviceaccount') throw new ReviewFailure('lookup failed: username returned is not a service account');
  return { namespace: parts[2] as string, name: parts[3] as string, uid: typeof user.uid === 'string' ? user.uid : '' };
}

function httpFailure(status: number, body: Record<string, unknown> | undefined, text: string, bearerIsReviewer: boolean): string {
  const message = typeof body?.message === 'string' ? body.message : text.slice(0, 200);
  if (status === 401) {
    return bearerIsReviewer
      ? 'lookup failed: the Kubernetes API refused the token reviewer JWT (401 Unauthorized); token_reviewer_jwt is invalid or expired'
      : 'lookup failed: service account unauthorized; this could mean it has been deleted or recreated with a new token';
  }
  if (status === 403) {
    const who = bearerIsReviewer ? "the token reviewer's service account" : "the client's service account (no token_reviewer_jwt is configured)";
    return `lookup failed: the Kubernetes API forbade the TokenReview (403): ${message}; ${who} needs the system:auth-delegator ClusterRole`;
  }
  return `lookup failed: the Kubernetes API answered HTTP ${status}: ${message}`;
}
