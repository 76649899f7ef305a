import { CofferError, type AuthInfo } from '@coffer/sdk';
import type { Cubbyhole } from '../engines/cubbyhole/cubbyhole-engine.js';
import type { ExpirationManager } from './expiration/expiration-manager.js';
import type { MountManager } from './mount-manager.js';
import type { CoreResult } from './request-handler.js';
import { issueToken } from './token-issuer.js';
import type { TokenEntry, TokenStore } from './token-store.js';

/** The envelope's `wrap_info`. */
export interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  creationTime: Date;
  creationPath: string;
  wrappedAccessor: string;
}

/** What a wrapping token's cubbyhole holds: the response the client will get on unwrap. */
export interface WrappedResponse {
  data: Record<string, unknown> | null;
  auth?: AuthInfo;
  lease?: { id: string; duration: number; renewable: boolean };
  warnings: string[];
}

export interface WrappingDeps {
  tokens: TokenStore;
  expiration: ExpirationManager;
  mounts: MountManager;
  cubbyhole: Cubbyhole | undefined;
  now: () => Date;
}

export const WRAPPING_POLICY = 'response-wrapping';
const RESPONSE_KEY = 'response';
const MAX_WRAP_TTL = 30 * 24 * 3600;

/**
 * Response wrapping: the real response goes into the cubbyhole of a new single-use token with the
 * wrap TTL; the client gets only that token (`wrap_info`). Whoever unwraps it first gets the
 * response; the token is then gone, so a second unwrap (an interception) is detected.
 */
export async function wrapResult(deps: WrappingDeps, result: CoreResult, ttl: number, creationPath: string): Promise<CoreResult> {
  if (!deps.cubbyhole) throw new CofferError('internal', 'response wrapping needs the cubbyhole mount');
  if (ttl <= 0 || ttl > MAX_WRAP_TTL) throw new CofferError('invalid_request', 'wrapping TTL must be between 1 second and 30 days');
  const tokenMount = deps.mounts.find('auth', 'token/');
  if (!tokenMount) throw new CofferError('internal', 'the token auth mount is missing');
  const issued = await issueToken(
    deps.tokens,
    deps.expiration,
    { policies: [WRAPPING_POLICY], ttl, numUses: 1, noDefaultPolicy: true, renewable: false, orphan: true, displayName: 'response-wrapping' },
    { parent: undefined, path: creationPath, mountAccessor: tokenMount.accessor, mountTtls: { defaultLeaseTtl: ttl, maxLeaseTtl: MAX_WRAP_TTL } },
    deps.now,
  );
  const payload: WrappedResponse = {
    data: result.response?.data ?? null,
    ...(result.auth ? { auth: result.auth } : {}),
    ...(result.lease ? { lease: result.lease } : {}),
    warnings: result.warnings,
  };
  await deps.cubbyhole.write(issued.auth.accessor, RESPONSE_KEY, payload as unknown as Record<string, unknown>);
  return {
    mountType: result.mountType,
    mountPoint: result.mountPoint,
    enginePath: result.enginePath,
    response: undefined,
    warnings: [],
    wrapInfo: {
      token: issued.auth.clientToken,
      accessor: issued.auth.accessor,
      ttl,
      creationTime: new Date(issued.entry.creationTime * 1000),
      creationPath,
      wrappedAccessor: result.auth?.accessor ?? '',
    },
  };
}

/**
 * Returns the wrapped response once: the wrapping token's single use is spent (atomically) and
 * the token revoked with its cubbyhole. `entry` is the wrapping token, looked up by the caller.
 */
export async function unwrap(deps: WrappingDeps, entry: TokenEntry | undefined, alreadySpent: boolean): Promise<WrappedResponse> {
  const invalid = () => new CofferError('invalid_request', 'wrapping token is not valid or does not exist');
  if (!entry || !isWrappingToken(entry) || !deps.cubbyhole) throw invalid();
  if (!alreadySpent) {
    try {
      await deps.tokens.use(entry);
    } catch {
      throw invalid();
    }
  }
  const payload = await deps.cubbyhole.read(entry.accessor, RESPONSE_KEY);
  await deps.tokens.revoke(entry);
  if (!payload) throw invalid();
  return payload as unknown as WrappedResponse;
}

export function isWrappingToken(entry: TokenEntry): boolean {
  return entry.policies.length === 1 && entry.policies[0] === WRAPPING_POLICY;
}
