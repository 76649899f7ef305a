import { CofferError, definePath, type LogicalResponse, type PathDef } from '@coffer/sdk';
import type { RuntimeHandles } from '../../core/runtime.js';
import { isWrappingToken, unwrap, type WrappedResponse, type WrappingDeps } from '../../core/wrapping.js';

/** The default TTL of sys/wrapping/wrap without an `X-Vault-Wrap-TTL` header (Vault's). */
const DEFAULT_WRAP_TTL = 300;

/** sys/wrapping/wrap, unwrap, lookup and rewrap. */
export function wrappingPaths(handles: RuntimeHandles): PathDef[] {
  const deps = (): WrappingDeps => ({
    tokens: handles.tokens,
    expiration: handles.expiration,
    mounts: handles.mounts,
    cubbyhole: handles.cubbyhole,
    now: handles.now,
  });
  const asResponse = (wrapped: WrappedResponse): LogicalResponse => ({
    data: wrapped.data,
    ...(wrapped.auth ? { authInfo: wrapped.auth } : {}),
    ...(wrapped.lease ? { leaseInfo: wrapped.lease } : {}),
    ...(wrapped.warnings.length ? { warnings: wrapped.warnings } : {}),
  });
  /** The token to unwrap: named in the body, or the caller's own (the usual way). */
  const target = async (bodyToken: string | undefined, callerAccessor: string | undefined) => {
    if (bodyToken) return { entry: await handles.tokens.lookup(bodyToken), spent: false };
    // The caller's own wrapping token: the pipeline already spent its single use for this request.
    const entry = callerAccessor ? await handles.tokens.lookupByAccessor(callerAccessor, { allowSpent: true }) : undefined;
    return { entry, spent: true };
  };
  const tokenField = { token: { type: 'string' } } as const;
  return [
    definePath({
      pattern: 'wrapping/wrap',
      operations: {
        update: async (req) => {
          if (Object.keys(req.data).length === 0) throw new CofferError('invalid_request', 'missing data to wrap');
          return { data: { ...req.data }, wrapTtl: DEFAULT_WRAP_TTL };
        },
      },
    }),
    definePath({
      pattern: 'wrapping/unwrap',
      fields: tokenField,
      operations: {
        update: async (req) => {
          const { entry, spent } = await target(req.fields.token, req.auth?.accessor);
          return asResponse(await unwrap(deps(), entry, spent));
        },
      },
    }),
    definePath({
      pattern: 'wrapping/lookup',
      fields: tokenField,
      operations: {
        update: async (req) => {
          const token = req.fields.token || req.auth?.clientToken;
          const entry = token ? await handles.tokens.lookup(token) : undefined;
          if (!entry || !isWrappingToken(entry)) throw new CofferError('invalid_request', 'wrapping token is not valid or does not exist');
          return {
            data: {
              creation_path: entry.path,
              creation_time: new Date(entry.creationTime * 1000).toISOString(),
              creation_ttl: entry.ttl,
            },
          };
        },
      },
    }),
    definePath({
      pattern: 'wrapping/rewrap',
      fields: tokenField,
      operations: {
        update: async (req) => {
          const token = req.fields.token || req.auth?.clientToken;
          const entry = token ? await handles.tokens.lookup(token) : undefined;
          const ttl = entry?.ttl ?? DEFAULT_WRAP_TTL;
          const wrapped = await unwrap(deps(), entry, false);
          return { ...asResponse(wrapped), wrapTtl: ttl };
        },
      },
    }),
  ];
}
