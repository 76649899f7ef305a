import { definePath, type PathDef } from '@coffer/sdk';
import { tokenLookupJson } from './token-json.js';
import type { TokenEngineContext } from './token-engine.js';

/** lookup, lookup-self, lookup-accessor, and LIST accessors (sudo). */
export function lookupPaths(ctx: TokenEngineContext): PathDef[] {
  const { tokens } = ctx.handles;
  const self = async (req: Parameters<TokenEngineContext['caller']>[0]) => ({
    data: tokenLookupJson(tokens, await ctx.caller(req), req.auth?.clientToken ?? ''),
  });
  return [
    definePath({
      pattern: 'lookup',
      fields: { token: { type: 'string' } },
      operations: {
        update: async (req) => {
          const token = req.fields.token as string;
          return { data: tokenLookupJson(tokens, await ctx.byToken(token), token) };
        },
      },
    }),
    definePath({ pattern: 'lookup-self', operations: { read: self, update: self } }),
    definePath({
      pattern: 'lookup-accessor',
      fields: { accessor: { type: 'string', required: true } },
      operations: {
        update: async (req) => ({ data: tokenLookupJson(tokens, await ctx.byAccessor(req.fields.accessor), '') }),
      },
    }),
    definePath({
      pattern: 'accessors/?',
      operations: {
        list: async () => {
          const keys = await tokens.accessors();
          return keys.length ? { data: { keys } } : undefined;
        },
      },
    }),
  ];
}
