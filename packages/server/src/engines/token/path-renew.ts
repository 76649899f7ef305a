import { definePath, type LogicalResponse, type PathDef } from '@coffer/sdk';
import { renewToken } from '../../core/token-renewal.js';
import type { TokenEntry } from '../../core/token-store.js';
import type { TokenEngineContext } from './token-engine.js';

const increment = { increment: { type: 'duration' } } as const;

/** renew, renew-self, renew-accessor: the response reports the token's new lease in `auth`. */
export function renewPaths(ctx: TokenEngineContext): PathDef[] {
  const renew = async (entry: TokenEntry, seconds: number | undefined, clientToken: string): Promise<LogicalResponse> => {
    const { auth, warnings } = await renewToken(ctx.handles, entry, seconds ?? 0, clientToken);
    return { authInfo: auth, ...(warnings.length ? { warnings } : {}) };
  };
  return [
    definePath({
      pattern: 'renew',
      fields: { token: { type: 'string' }, ...increment },
      operations: {
        update: async (req) => renew(await ctx.byToken(req.fields.token), req.fields.increment, req.fields.token as string),
      },
    }),
    definePath({
      pattern: 'renew-self',
      fields: increment,
      operations: {
        update: async (req) => renew(await ctx.caller(req), req.fields.increment, req.auth?.clientToken ?? ''),
      },
    }),
    definePath({
      pattern: 'renew-accessor',
      fields: { accessor: { type: 'string', required: true }, ...increment },
      operations: {
        // The token itself is never returned when renewing by accessor.
        update: async (req) => renew(await ctx.byAccessor(req.fields.accessor), req.fields.increment, ''),
      },
    }),
  ];
}
