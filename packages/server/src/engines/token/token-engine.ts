import { CofferError, type Engine, type LogicalRequest, type Storage } from '@coffer/sdk';
import type { RuntimeHandles } from '../../core/runtime.js';
import type { TokenEntry } from '../../core/token-store.js';
import { createPaths } from './path-create.js';
import { lookupPaths } from './path-lookup.js';
import { renewPaths } from './path-renew.js';
import { revokePaths } from './path-revoke.js';
import { rolePaths } from './path-roles.js';
import { TokenRoleStore } from './token-roles.js';

/** What the token engine's path files share. */
export interface TokenEngineContext {
  handles: RuntimeHandles;
  /** The caller's own token entry. */
  caller(request: LogicalRequest): Promise<TokenEntry>;
  /** A token named in the request body; unknown tokens are 403 "bad token", as Vault. */
  byToken(token: unknown): Promise<TokenEntry>;
  byAccessor(accessor: unknown): Promise<TokenEntry>;
}

/**
 * The token auth method (`auth/token/`). Creation returns an AuthGrant and the request pipeline
 * mints the token, so the same code path serves the logins of every auth method.
 */
export function createTokenEngine(handles: RuntimeHandles, storage: Storage): Engine {
  const { tokens } = handles;
  const roles = new TokenRoleStore(storage);
  const ctx: TokenEngineContext = {
    handles,
    caller: async (req) => {
      const entry = req.auth ? await tokens.lookupByAccessor(req.auth.accessor, { allowSpent: true }) : undefined;
      if (!entry) throw new CofferError('permission_denied', 'permission denied');
      return entry;
    },
    byToken: async (token) => {
      if (typeof token !== 'string' || token === '') throw new CofferError('invalid_request', 'missing token');
      const entry = await tokens.lookup(token);
      if (!entry) throw new CofferError('permission_denied', 'bad token');
      return entry;
    },
    byAccessor: async (accessor) => {
      if (typeof accessor !== 'string' || accessor === '') throw new CofferError('invalid_request', 'missing accessor');
      const entry = await tokens.lookupByAccessor(accessor);
      if (!entry) throw new CofferError('invalid_request', 'invalid accessor');
      return entry;
    },
  };
  return {
    type: 'token',
    sudoPaths: ['revoke-orphan', 'revoke-orphan/*', 'accessors', 'accessors/', 'tidy'],
    paths: [...createPaths(ctx, roles), ...lookupPaths(ctx), ...renewPaths(ctx), ...revokePaths(ctx), ...rolePaths(roles)],
  };
}
