import {
  CofferError,
  routeRequest,
  type AuthGrant,
  type LogicalResponse,
  type Logger,
  type Operation,
  type RequestAuth,
} from '@coffer/sdk';
import { Acl, type PolicySource } from './acl.js';
import type { MountManager } from './mount-manager.js';
import type { TokenEntry, TokenStore } from './token-store.js';

/** A request as the core sees it: no HTTP, just an operation on a path with data and a token. */
export interface CoreRequest {
  id: string;
  operation: Operation;
  /** The full logical path without a leading slash, e.g. `secret/data/app`. */
  path: string;
  data: Record<string, unknown>;
  token?: string;
  remoteAddress?: string;
  signal?: AbortSignal;
}

/** A token minted for the response (login or token creation), as the envelope's `auth` reports it. */
export interface IssuedAuth {
  clientToken: string;
  accessor: string;
  policies: string[];
  tokenPolicies: string[];
  metadata: Record<string, string>;
  leaseDuration: number;
  renewable: boolean;
  orphan: boolean;
  numUses: number;
}

export interface CoreResult {
  mountType: string;
  mountPoint: string;
  /** The path below the mount that the engine served. */
  enginePath: string;
  response: LogicalResponse | undefined;
  auth?: IssuedAuth;
}

export interface PipelineDeps {
  mounts: MountManager;
  tokens: TokenStore;
  policies: PolicySource;
  logger: Logger;
}

/**
 * The one path every logical request takes: route to a mount, resolve the token, settle the
 * operation, check the ACL (and sudo), run the handler, then mint any token the response asks for.
 * Authorisation lives here, not in handlers, so no handler can forget it.
 */
export async function handleRequest(deps: PipelineDeps, request: CoreRequest): Promise<CoreResult> {
  // Vault normalises list paths with a trailing slash (ACLs on "foo/" cover listing foo).
  const path = request.operation === 'list' && !request.path.endsWith('/') ? `${request.path}/` : request.path;
  const route = deps.mounts.route(path);
  const unauthenticated = route?.engine.isUnauthenticated(route.path) ?? false;

  // Unauthenticated paths (logins, the UI mount listing) still see a valid token if one was sent.
  const caller = request.token ? await deps.tokens.lookup(request.token) : undefined;
  if (!caller && !unauthenticated) throw new CofferError('permission_denied', 'permission denied');
  if (!route) {
    throw new CofferError('unsupported_path', `no handler for route "${path}". route entry not found.`);
  }

  const routed = await routeRequest(route.engine, {
    id: request.id,
    operation: request.operation,
    path: route.path,
    data: request.data,
    ...(caller ? { auth: requestAuth(caller, request.token ?? '') } : {}),
    ...(request.remoteAddress !== undefined ? { remoteAddress: request.remoteAddress } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  });

  if (!unauthenticated && caller) {
    const acl = new Acl(caller.policies, deps.policies);
    if (!acl.allows(path, routed.request.operation, route.engine.isSudo(route.path))) {
      throw new CofferError('permission_denied', 'permission denied');
    }
  }

  const response = await routed.handler(routed.request);
  const result: CoreResult = {
    mountType: route.entry.type,
    mountPoint: route.mountPoint,
    enginePath: route.path,
    response,
  };
  if (response?.auth) {
    const ttls = deps.mounts.leaseTtls(route.entry);
    result.auth = await issueToken(deps.tokens, response.auth, {
      parent: response.auth.orphan ? undefined : caller,
      path: `${route.mountPoint}${route.path}`,
      ...ttls,
    });
  }
  if (response?.secret) {
    // Leases arrive with the expiration manager; until then no engine may hand out a leased secret.
    throw new CofferError('internal', 'leased secrets are not supported yet');
  }
  return result;
}

export function requestAuth(entry: TokenEntry, clientToken: string): RequestAuth {
  return {
    accessor: entry.accessor,
    clientToken,
    displayName: entry.displayName,
    policies: entry.policies,
    metadata: entry.meta,
    entityId: '',
  };
}

async function issueToken(
  tokens: TokenStore,
  grant: AuthGrant,
  context: { parent: TokenEntry | undefined; path: string; defaultLeaseTtl: number; maxLeaseTtl: number },
): Promise<IssuedAuth> {
  const isRoot = grant.policies.includes('root');
  const policies = isRoot || grant.noDefaultPolicy ? grant.policies : [...grant.policies, 'default'];
  // A root token minted without a TTL never expires, as in Vault; every other token is bounded.
  let ttl = 0;
  if (!isRoot || grant.ttl || grant.period) {
    ttl = Math.min(grant.period || grant.ttl || context.defaultLeaseTtl, context.maxLeaseTtl);
    if (grant.explicitMaxTtl) ttl = Math.min(ttl, grant.explicitMaxTtl);
  }
  const { token, entry } = await tokens.create({
    policies,
    ...(context.parent ? { parent: context.parent } : {}),
    path: context.path,
    meta: grant.metadata ?? {},
    displayName: grant.displayName ?? 'token',
    ttl,
    ...(grant.explicitMaxTtl !== undefined ? { explicitMaxTtl: grant.explicitMaxTtl } : {}),
    ...(grant.period !== undefined ? { period: grant.period } : {}),
    ...(grant.numUses !== undefined ? { numUses: grant.numUses } : {}),
    renewable: grant.renewable ?? ttl > 0,
  });
  return {
    clientToken: token,
    accessor: entry.accessor,
    policies: entry.policies,
    tokenPolicies: entry.policies,
    metadata: entry.meta,
    leaseDuration: entry.ttl,
    renewable: entry.renewable,
    orphan: entry.parent === '',
    numUses: entry.numUses,
  };
}
