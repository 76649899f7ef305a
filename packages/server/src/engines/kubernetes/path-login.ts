import { addressInCidrBlocks, CofferError, definePath, grantFrom, type EngineDeps, type PathDef } from '@coffer/sdk';
import { JwtRefusal, validateClaims } from '../jwt/jwt-claims.js';
import { checkedHeader, unverifiedClaims, verifySignature } from '../jwt/jwt-signature.js';
import { parsePublicKeyPem } from '../jwt/public-keys.js';
import type { RoleStore } from '../jwt/role-paths.js';
import type { Connection, KubernetesConnection } from './kubernetes-connection.js';
import type { KubernetesRole } from './kubernetes-role.js';
import { namespaceMatches, parseNamespaceSelector } from './namespace-selector.js';
import { claimedServiceAccount, nameAllowed, namespaceListed, type ClaimedServiceAccount } from './service-account.js';
import { reviewToken, ReviewFailure } from './token-review.js';

/** The signing algorithms Kubernetes' OIDC issuer may use (Vault's allowedSigningAlgs). */
const KUBERNETES_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'];

/** Why a login was refused: `message` goes to the client, `reason` to the log. */
class Refusal extends Error {
  readonly reason: string;
  /** An unreachable API server is an operations problem, logged louder than a bad token. */
  readonly level: 'info' | 'warn';
  constructor(message: string, reason = message, level: 'info' | 'warn' = 'info') {
    super(message);
    this.reason = reason;
    this.level = level;
  }
}

/**
 * `login` (unauthenticated) `{role, jwt}`, step by step as Vault's path_login.go: the role, its
 * CIDRs, the JWT's algorithm (and signature when `pem_keys` is set), its claims (issuer, audience,
 * time), the role's name and namespace bindings, then a TokenReview whose answer must name the
 * same account and UID. Refusals are 403; binding and claim failures say what failed (as Vault),
 * TokenReview failures only `permission denied`. The log always gets the reason, never the JWT.
 */
export function loginPath(store: RoleStore<KubernetesRole>, connection: KubernetesConnection, deps: EngineDeps, displayPrefix: string): PathDef {
  return definePath({
    pattern: 'login',
    fields: {
      role: { type: 'string', description: 'The role to log in against.' },
      jwt: { type: 'string', sensitive: true, description: 'The service account JWT.' },
    },
    summary: 'Issue a token for a Kubernetes service account JWT.',
    operations: {
      update: async (req) => {
        const roleName = (req.fields.role ?? '').trim();
        if (roleName === '') throw new CofferError('invalid_request', 'missing role');
        const jwt = (req.fields.jwt ?? '').trim();
        if (jwt === '') throw new CofferError('invalid_request', 'missing jwt');
        const role = await store.get(roleName);
        if (!role) throw new CofferError('invalid_request', `invalid role name "${roleName}"`);
        let account: ClaimedServiceAccount | undefined;
        try {
          if (role.token.boundCidrs.length > 0 && !addressInCidrBlocks(req.remoteAddress ?? '', role.token.boundCidrs)) {
            throw new Refusal('permission denied', `source address "${req.remoteAddress ?? ''}" is outside the role's token_bound_cidrs`);
          }
          const conn = await connection.connect();
          if (!conn) throw new CofferError('invalid_request', 'could not load backend configuration');
          const claims = await readClaims(jwt, conn);
          // Named in the log from here on: what the token claims, not yet confirmed.
          account = claimedServiceAccount(claims);
          checkClaims(claims, role, conn, deps.system.now());
          await checkBindings(account, role, conn);
          if (account.uid === '') throw new Refusal('permission denied', 'could not parse UID from claims');
          await confirm(jwt, account, role, conn, req.signal);
        } catch (error) {
          if (!(error instanceof Refusal)) throw error;
          const logged = { role: roleName, reason: error.reason, ...(account ? { namespace: account.namespace, service_account: account.name } : {}) };
          deps.logger[error.level](logged, 'kubernetes login refused');
          throw new CofferError('permission_denied', error.message);
        }
        const metadata = {
          service_account_uid: account.uid,
          service_account_name: account.name,
          service_account_namespace: account.namespace,
          service_account_secret_name: account.secretName,
          role: roleName,
        };
        return {
          auth: grantFrom(role.token, {
            displayName: `${displayPrefix}-${account.namespace}-${account.name}`,
            metadata,
            internal: { role: roleName },
          }),
        };
      },
    },
  });
}

/** The JWT's claims, after its algorithm (and, with pem_keys, its signature) checked out. */
async function readClaims(jwt: string, conn: Connection): Promise<Record<string, unknown>> {
  try {
    if (conn.config.pemKeys.length === 0) {
      checkedHeader(jwt, KUBERNETES_ALGORITHMS);
      return unverifiedClaims(jwt);
    }
    const keys = conn.config.pemKeys.map((pem) => ({ key: parsePublicKeyPem(pem, ['rsa', 'ec']) }));
    return await verifySignature(jwt, KUBERNETES_ALGORITHMS, async () => keys);
  } catch (error) {
    if (!(error instanceof JwtRefusal)) throw error;
    // Vault hides signature failures behind a bare "permission denied"; other parse errors it names.
    const signature = error.message.startsWith('error verifying token signature');
    throw new Refusal(signature ? 'permission denied' : error.message, error.message);
  }
}

/** The claims Vault checks locally: the deprecated issuer when enabled, the role's audience, the time window. */
function checkClaims(claims: Record<string, unknown>, role: KubernetesRole, conn: Connection, now: Date): void {
  const checkIssuer = !conn.config.disableIssValidation && conn.config.issuer !== '';
  try {
    validateClaims(claims, {
      ...(checkIssuer ? { issuer: conn.config.issuer } : {}),
      ...(role.audience !== '' ? { audiences: [role.audience] } : {}),
      allowMissingTimes: true,
      now,
    });
  } catch (error) {
    if (error instanceof JwtRefusal) throw new Refusal(error.message);
    throw error;
  }
}

/** The role's bindings against the claimed account; the namespace may also pass by label selector. */
async function checkBindings(account: ClaimedServiceAccount, role: KubernetesRole, conn: Connection): Promise<void> {
  if (!nameAllowed(role, account.name)) {
    throw new Refusal('service account name not authorized', `service account name "${account.name}" is not in bound_service_account_names`);
  }
  if (namespaceListed(role, account.namespace)) return;
  if (role.boundServiceAccountNamespaceSelector !== '') {
    let matched = false;
    let lookupError: string | undefined;
    try {
      const selector = parseNamespaceSelector(role.boundServiceAccountNamespaceSelector);
      matched = await namespaceMatches(conn.client, conn.host, conn.reviewerJwt, account.namespace, selector);
    } catch (error) {
      lookupError = (error as Error).message;
    }
    if (matched) return;
    if (lookupError) throw new Refusal(`namespace not authorized err=${lookupError}`, `namespace "${account.namespace}": ${lookupError}`);
  }
  throw new Refusal('namespace not authorized', `namespace "${account.namespace}" is not in bound_service_account_namespaces nor matched by the namespace selector`);
}

/** TokenReview, then the reviewed account must be the claimed one. */
async function confirm(jwt: string, account: ClaimedServiceAccount, role: KubernetesRole, conn: Connection, signal: AbortSignal | undefined): Promise<void> {
  // Vault asks about the role's audience, or else the token's own audiences.
  const audiences = role.audience !== '' ? [role.audience] : account.audiences;
  let reviewed;
  try {
    reviewed = await reviewToken(conn.client, {
      host: conn.host,
      jwt,
      bearer: conn.reviewerJwt ?? jwt,
      bearerIsReviewer: conn.reviewerJwt !== undefined,
      audiences,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof ReviewFailure) throw new Refusal('permission denied', error.message, error.unreachable ? 'warn' : 'info');
    throw error;
  }
  if (reviewed.name !== account.name) throw new Refusal('permission denied', 'JWT names did not match');
  if (reviewed.uid !== account.uid) throw new Refusal('permission denied', 'JWT UIDs did not match');
  if (reviewed.namespace !== account.namespace) throw new Refusal('permission denied', 'JWT namespaces did not match');
}
