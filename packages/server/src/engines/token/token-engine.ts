import { CofferError, definePath, type Engine, type LogicalRequest } from '@coffer/sdk';
import type { TokenEntry, TokenStore } from '../../core/token-store.js';
import { tokenLookupJson } from './token-json.js';

const createFields = {
  policies: { type: 'strings' },
  meta: { type: 'string-map' },
  no_parent: { type: 'bool' },
  no_default_policy: { type: 'bool' },
  renewable: { type: 'bool' },
  ttl: { type: 'duration' },
  explicit_max_ttl: { type: 'duration' },
  display_name: { type: 'string' },
  num_uses: { type: 'int' },
  period: { type: 'duration' },
  type: { type: 'string' },
} as const;

/**
 * The token auth method (`auth/token/`). Creation returns an AuthGrant; the request pipeline mints
 * the token, so the same code path serves logins of every auth method.
 */
export function createTokenEngine(tokens: TokenStore): Engine {
  const caller = async (req: LogicalRequest): Promise<TokenEntry> => {
    const entry = req.auth ? await tokens.lookupByAccessor(req.auth.accessor) : undefined;
    if (!entry) throw new CofferError('permission_denied', 'permission denied');
    return entry;
  };
  const byToken = async (token: unknown): Promise<TokenEntry> => {
    if (typeof token !== 'string' || token === '') throw new CofferError('invalid_request', 'missing token');
    const entry = await tokens.lookup(token);
    // Vault answers an unknown token with 403 "bad token", not with the token's absence.
    if (!entry) throw new CofferError('permission_denied', 'bad token');
    return entry;
  };

  const create = (orphan: boolean) => async (req: LogicalRequest<typeof createFields>) => {
    const f = req.fields;
    const parent = await caller(req);
    const parentIsRoot = parent.policies.includes('root');
    if (f.type !== undefined && f.type !== 'service') {
      throw new CofferError('invalid_request', 'only service tokens are supported');
    }
    if (f.no_parent && !parentIsRoot) {
      throw new CofferError('invalid_request', 'root or sudo privileges required to create orphan token');
    }
    if (f.num_uses !== undefined && f.num_uses < 0) throw new CofferError('invalid_request', 'number of uses cannot be negative');
    const policies = f.policies?.length ? f.policies : parent.policies.filter((p) => p !== 'default' || !f.no_default_policy);
    if (!parentIsRoot) {
      const missing = policies.filter((p) => p !== 'default' && !parent.policies.includes(p));
      if (missing.length) {
        throw new CofferError('invalid_request', `child policies must be subset of parent: missing ${missing.join(', ')}`);
      }
    }
    return {
      auth: {
        policies,
        displayName: f.display_name ? `token-${f.display_name}` : 'token',
        metadata: f.meta ?? {},
        ...(f.ttl !== undefined ? { ttl: f.ttl } : {}),
        ...(f.explicit_max_ttl !== undefined ? { explicitMaxTtl: f.explicit_max_ttl } : {}),
        ...(f.period !== undefined ? { period: f.period } : {}),
        ...(f.renewable !== undefined ? { renewable: f.renewable } : {}),
        ...(f.num_uses !== undefined ? { numUses: f.num_uses } : {}),
        ...(f.no_default_policy !== undefined ? { noDefaultPolicy: f.no_default_policy } : {}),
        orphan: orphan || (f.no_parent ?? false),
      },
    };
  };

  return {
    type: 'token',
    paths: [
      definePath({ pattern: 'create', fields: createFields, operations: { update: create(false) } }),
      definePath({ pattern: 'create-orphan', fields: createFields, operations: { update: create(true) } }),
      definePath({
        pattern: 'lookup',
        fields: { token: { type: 'string' } },
        operations: {
          update: async (req) => {
            const token = req.fields.token as string;
            return { data: tokenLookupJson(tokens, await byToken(token), token) };
          },
        },
      }),
      definePath({
        pattern: 'lookup-self',
        operations: {
          read: async (req) => ({ data: tokenLookupJson(tokens, await caller(req), req.auth?.clientToken ?? '') }),
        },
      }),
      definePath({
        pattern: 'lookup-accessor',
        fields: { accessor: { type: 'string', required: true } },
        operations: {
          update: async (req) => {
            const entry = await tokens.lookupByAccessor(req.fields.accessor as string);
            if (!entry) throw new CofferError('invalid_request', 'invalid accessor');
            return { data: tokenLookupJson(tokens, entry, '') };
          },
        },
      }),
      definePath({
        pattern: 'revoke',
        fields: { token: { type: 'string' } },
        operations: {
          update: async (req) => {
            const token = req.fields.token;
            if (!token) throw new CofferError('invalid_request', 'missing token');
            const entry = await tokens.lookup(token);
            // Revoking a token that does not exist is a success: the end state is what was asked.
            if (entry) await tokens.revoke(entry);
            return undefined;
          },
        },
      }),
      definePath({
        pattern: 'revoke-self',
        operations: {
          update: async (req) => {
            await tokens.revoke(await caller(req));
            return undefined;
          },
        },
      }),
    ],
  };
}
