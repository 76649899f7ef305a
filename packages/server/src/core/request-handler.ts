import { isIP } from 'node:net';
import {
  addressInCidrBlocks,
  CofferError,
  routeRequest,
  type LogicalResponse,
  type Logger,
  type Operation,
  type RequestAuth,
} from '@coffer/sdk';
import type { AclSource } from './acl-cache.js';
import type { AuditManager } from './audit/audit-manager.js';
import { AuditRecord } from './audit/audit-records.js';
import type { ExpirationManager } from './expiration/expiration-manager.js';
import type { MountManager, Route } from './mount-manager.js';
import type { Cubbyhole } from '../engines/cubbyhole/cubbyhole-engine.js';
import { issueToken, type IssuedAuth } from './token-issuer.js';
import { wrapResult, type WrapInfo } from './wrapping.js';
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
  remotePort?: number;
  /** `X-Vault-Wrap-TTL`: wrap the response in a single-use token for this many seconds. */
  wrapTtl?: number;
  signal?: AbortSignal;
}

export type { IssuedAuth } from './token-issuer.js';

export interface CoreResult {
  mountType: string;
  mountPoint: string;
  /** The path below the mount that the engine served. */
  enginePath: string;
  response: LogicalResponse | undefined;
  auth?: IssuedAuth;
  /** The lease registered for a leased secret in the response. */
  lease?: { id: string; duration: number; renewable: boolean };
  warnings: string[];
  /** Set when the response was wrapped: the client gets only this. */
  wrapInfo?: WrapInfo;
}

export interface PipelineDeps {
  mounts: MountManager;
  tokens: TokenStore;
  expiration: ExpirationManager;
  acls: AclSource;
  audit: AuditManager;
  cubbyhole: () => Cubbyhole | undefined;
  logger: Logger;
  now: () => Date;
}

/**
 * The one path every logical request takes: route to a mount, resolve the token (bound CIDRs, uses
 * left), settle the operation, check the ACL (and sudo), run the handler, then mint any token and
 * register any lease the response asks for. Authorisation lives here, not in handlers.
 */
export async function handleRequest(deps: PipelineDeps, request: CoreRequest): Promise<CoreResult> {
  // Vault normalises list paths with a trailing slash (ACLs on "foo/" cover listing foo).
  const path = request.operation === 'list' && !request.path.endsWith('/') ? `${request.path}/` : request.path;
  const record = new AuditRecord(request, path);
  const audited = { request: false, response: false };
  try {
    const result = await authorisedRun(deps, request, path, record, async () => {
      await audit(deps, () => deps.audit.logRequest(record.request()));
      audited.request = true;
    });
    audited.response = true;
    await audit(deps, () => deps.audit.logResponse(record.response(result)));
    return result;
  } catch (error) {
    // Failed requests are recorded too (403s, bad input), with the error the client gets.
    if (!audited.request) await audit(deps, () => deps.audit.logRequest(record.request(error)));
    if (!audited.response) await audit(deps, () => deps.audit.logResponse(record.response(undefined, error)));
    throw error;
  }
}

/**
 * Fail closed: when no audit device recorded an entry, the request is refused (or its response
 * withheld) with a bare "internal error", as Vault does.
 */
async function audit(deps: PipelineDeps, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (cause) {
    throw new CofferError('internal', 'internal error', { cause });
  }
}

async function authorisedRun(
  deps: PipelineDeps,
  request: CoreRequest,
  path: string,
  record: AuditRecord,
  logRequest: () => Promise<void>,
): Promise<CoreResult> {
  const route = deps.mounts.route(path);
  record.route = route;
  const unauthenticated = route?.engine.isUnauthenticated(route.path) ?? false;

  // Unauthenticated paths (logins, the UI mount listing) still see a valid token if one was sent.
  const caller = await resolveCaller(deps.tokens, request);
  record.caller = caller;
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
  record.operation = routed.request.operation;

  let lastUse = false;
  if (!unauthenticated && caller) {
    const acl = await deps.acls(caller.policies);
    const decision = acl.check({
      path,
      operation: routed.request.operation,
      data: request.data,
      needsSudo: route.engine.isSudo(route.path),
    });
    if (!decision.allowed) throw new CofferError('permission_denied', 'permission denied');
  }
  // Nothing runs that the audit log has not recorded.
  await logRequest();
  if (!unauthenticated && caller) lastUse = (await deps.tokens.use(caller)) === 0;

  try {
    const response = await routed.handler(routed.request);
    const result = await finish(deps, route, response, caller);
    const wrapTtl = request.wrapTtl ?? response?.wrapTtl;
    if (wrapTtl === undefined || (!response && !result.auth)) return result;
    return await wrapResult(
      { tokens: deps.tokens, expiration: deps.expiration, mounts: deps.mounts, cubbyhole: deps.cubbyhole(), now: deps.now },
      result,
      wrapTtl,
      path,
    );
  } finally {
    if (lastUse && caller) await deps.tokens.revoke(caller);
  }
}

async function finish(
  deps: PipelineDeps,
  route: Route,
  response: LogicalResponse | undefined,
  caller: TokenEntry | undefined,
): Promise<CoreResult> {
  const result: CoreResult = {
    mountType: route.entry.type,
    mountPoint: route.mountPoint,
    enginePath: route.path,
    response,
    warnings: [...(response?.warnings ?? [])],
  };
  if (response?.auth) {
    const issued = await issueToken(
      deps.tokens,
      deps.expiration,
      response.auth,
      {
        parent: response.auth.orphan ? undefined : caller,
        path: `${route.mountPoint}${route.path}`,
        mountAccessor: route.entry.accessor,
        mountTtls: deps.mounts.leaseTtls(route.entry),
      },
      deps.now,
    );
    result.auth = issued.auth;
    result.warnings.push(...issued.warnings);
  }
  if (response?.authInfo) result.auth = response.authInfo;
  if (response?.leaseInfo) result.lease = response.leaseInfo;
  if (response?.secret) {
    const ttls = deps.mounts.leaseTtls(route.entry);
    const maxTtl = Math.min(response.secret.maxTtl || ttls.maxLeaseTtl, ttls.maxLeaseTtl);
    const ttl = Math.min(response.secret.ttl || ttls.defaultLeaseTtl, maxTtl);
    const lease = await deps.expiration.registerSecret({
      path: `${route.mountPoint}${route.path}`,
      mountAccessor: route.entry.accessor,
      ...(caller ? { clientTokenHash: caller.hash } : {}),
      ttlSeconds: ttl,
      maxTtlSeconds: maxTtl,
      renewable: response.secret.renewable,
      ...(response.secret.internal ? { internal: response.secret.internal } : {}),
    });
    result.lease = { id: lease.id, duration: ttl, renewable: lease.renewable };
  }
  return result;
}

/** The caller's live token, refused when used from outside its bound CIDRs. */
async function resolveCaller(tokens: TokenStore, request: CoreRequest): Promise<TokenEntry | undefined> {
  if (!request.token) return undefined;
  const entry = await tokens.lookup(request.token);
  if (!entry) return undefined;
  if (entry.boundCidrs.length > 0) {
    const address = request.remoteAddress ?? '';
    if (!isIP(address) || !addressInCidrBlocks(address, entry.boundCidrs)) {
      throw new CofferError('permission_denied', 'permission denied');
    }
  }
  return entry;
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
