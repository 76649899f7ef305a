import { GoStruct } from '../template/values.js';

/** What the agent keeps of a Vault response: the lease facts it times renewals with, and the template view. */
export interface SecretRecord {
  leaseId: string;
  leaseDuration: number;
  renewable: boolean;
  data: Record<string, unknown>;
  /** Set for responses that carry a token (a `secret "auth/token/create"` write). */
  auth: { leaseDuration: number; renewable: boolean } | undefined;
}

type Json = Record<string, unknown>;

export function recordOf(response: unknown): SecretRecord {
  const body = (response ?? {}) as Json;
  const auth = body.auth as Json | null | undefined;
  return {
    leaseId: typeof body.lease_id === 'string' ? body.lease_id : '',
    leaseDuration: typeof body.lease_duration === 'number' ? body.lease_duration : 0,
    renewable: body.renewable === true,
    data: isObject(body.data) ? body.data : {},
    auth: auth ? { leaseDuration: Number(auth.lease_duration ?? 0), renewable: auth.renewable === true } : undefined,
  };
}

/**
 * consul-template's *dependency.Secret as templates see it: `.Data`, `.LeaseID`,
 * `.LeaseDuration`, `.Renewable`, `.Warnings`, `.Auth`, `.WrapInfo`, `.RequestID`; any other
 * field is an error, as it is in Go.
 */
export function goSecretOf(response: unknown): GoStruct {
  const body = (response ?? {}) as Json;
  const auth = body.auth as Json | null | undefined;
  const wrap = body.wrap_info as Json | null | undefined;
  return new GoStruct(
    '*dependency.Secret',
    new Map<string, unknown>([
      ['RequestID', str(body.request_id)],
      ['LeaseID', str(body.lease_id)],
      ['LeaseDuration', num(body.lease_duration)],
      ['Renewable', body.renewable === true],
      ['Data', isObject(body.data) ? body.data : {}],
      ['Warnings', Array.isArray(body.warnings) ? body.warnings : []],
      [
        'Auth',
        auth
          ? new GoStruct(
              '*dependency.SecretAuth',
              new Map<string, unknown>([
                ['ClientToken', str(auth.client_token)],
                ['Accessor', str(auth.accessor)],
                ['Policies', Array.isArray(auth.policies) ? auth.policies : []],
                ['Metadata', isObject(auth.metadata) ? auth.metadata : {}],
                ['LeaseDuration', num(auth.lease_duration)],
                ['Renewable', auth.renewable === true],
              ]),
            )
          : null,
      ],
      [
        'WrapInfo',
        wrap
          ? new GoStruct(
              '*dependency.SecretWrapInfo',
              new Map<string, unknown>([
                ['Token', str(wrap.token)],
                ['TTL', num(wrap.ttl)],
                ['CreationTime', str(wrap.creation_time)],
                ['WrappedAccessor', str(wrap.wrapped_accessor)],
              ]),
            )
          : null,
      ],
    ]),
  );
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown) => (typeof v === 'number' ? v : 0);
