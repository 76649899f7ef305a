import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import type { TokenEngineContext } from './token-engine.js';

/** revoke, revoke-self, revoke-orphan (sudo), revoke-accessor, tidy (sudo). All answer 204. */
export function revokePaths(ctx: TokenEngineContext): PathDef[] {
  const { tokens } = ctx.handles;
  const token = { token: { type: 'string' } } as const;
  return [
    definePath({
      pattern: 'revoke',
      fields: token,
      operations: {
        update: async (req) => {
          if (!req.fields.token) throw new CofferError('invalid_request', 'missing token');
          const entry = await tokens.lookup(req.fields.token);
          // Revoking a token that does not exist succeeds: the end state is what was asked.
          if (entry) await tokens.revoke(entry);
          return undefined;
        },
      },
    }),
    definePath({
      pattern: 'revoke-self',
      operations: {
        update: async (req) => {
          await tokens.revoke(await ctx.caller(req));
          return undefined;
        },
      },
    }),
    definePath({
      pattern: 'revoke-orphan',
      fields: token,
      operations: {
        update: async (req) => {
          await tokens.revokeOrphan(await ctx.byToken(req.fields.token));
          return undefined;
        },
      },
    }),
    definePath({
      pattern: 'revoke-accessor',
      fields: { accessor: { type: 'string', required: true } },
      operations: {
        update: async (req) => {
          await tokens.revoke(await ctx.byAccessor(req.fields.accessor));
          return undefined;
        },
      },
    }),
    definePath({
      pattern: 'tidy',
      operations: {
        update: async () => {
          const result = await tokens.tidy();
          return { data: { tokens_removed: result.tokens, index_entries_removed: result.indexes } };
        },
      },
    }),
  ];
}
