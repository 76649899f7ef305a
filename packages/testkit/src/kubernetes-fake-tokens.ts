import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, CompactSign, compactVerify, decodeProtectedHeader, type JWK } from 'jose';

export type FakeSigningAlgorithm = 'RS256' | 'ES256';

/** What `issueServiceAccountToken` puts in a projected service-account token. */
export interface ServiceAccountTokenOptions {
  namespace: string;
  name: string;
  /** The service account's UID; by default the one the fake keeps for this account (made on first use). */
  uid?: string;
  /** The `aud` claim; by default the API server's audiences. */
  audiences?: string[];
  /** Seconds from `issuedAt` to `exp` (default 3600); negative gives an already expired token. */
  expiresIn?: number;
  /** The `nbf` claim (default: `issuedAt`). */
  notBefore?: Date;
  /** The `iat` claim (default: the fake's clock). */
  issuedAt?: Date;
  /** The pod the token is bound to (`kubernetes.io.pod`). */
  pod?: { name: string; uid?: string };
}

/** The claims Kubernetes puts in a projected token, as the fake issues them. */
export interface ServiceAccountClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
  };
}

interface SigningKey {
  kid: string;
  alg: FakeSigningAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JWK;
}

/**
 * The fake API server's service-account token issuer: a key pair made at start (RSA-2048 or
 * P-256), rotatable, published as a JWKS; signs tokens and verifies them as the API server's
 * authenticator does (signature, issuer, time window; audiences are checked by the caller).
 */
export class ServiceAccountTokenSigner {
  readonly #keys: SigningKey[] = [];
  #alg: FakeSigningAlgorithm;

  private constructor(alg: FakeSigningAlgorithm) {
    this.#alg = alg;
  }

  static async create(alg: FakeSigningAlgorithm): Promise<ServiceAccountTokenSigner> {
    const signer = new ServiceAccountTokenSigner(alg);
    await signer.rotate(true);
    return signer;
  }

  get current(): SigningKey {
    return this.#keys[this.#keys.length - 1] as SigningKey;
  }

  /** SPKI PEM of the current signing key (for `pem_keys` / `jwt_validation_pubkeys`). */
  get publicKeyPem(): string {
    return this.current.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** The published key set: every key still trusted, the current one last. */
  jwks(): { keys: JWK[] } {
    return { keys: this.#keys.map((key) => ({ ...key.jwk })) };
  }

  /** A new signing key; the old ones stay in the JWKS (tokens they signed stay valid) unless `keepOld` is false. */
  async rotate(keepOld: boolean, alg: FakeSigningAlgorithm = this.#alg): Promise<string> {
    this.#alg = alg;
    const pair =
      alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicJwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint(publicJwk);
    if (!keepOld) this.#keys.length = 0;
    this.#keys.push({ kid, alg, ...pair, jwk: { ...publicJwk, kid, alg, use: 'sig' } });
    return kid;
  }

  /** Signs any payload with the current key (or with `header.kid` set to something else, to test unknown kids). */
  async sign(payload: Record<string, unknown>, header: { kid?: string } = {}): Promise<string> {
    const key = this.current;
    return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: header.kid ?? key.kid })
      .sign(key.privateKey);
  }

  /**
   * Verifies a token as the API server would: a known kid, a good signature, the issuer, and the
   * time window at `now` (no leeway). Throws an Error whose message reads like Kubernetes' own.
   */
  async verify(token: string, issuer: string, now: Date): Promise<ServiceAccountClaims> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new Error('invalid bearer token, token is not a JWT');
    }
    const key = this.#keys.find((k) => k.kid === kid);
    if (!key) throw new Error('invalid bearer token, square/go-jose: error in cryptographic primitive');
    let claims: ServiceAccountClaims;
    try {
      const { payload } = await compactVerify(token, key.publicKey, { algorithms: [key.alg] });
      claims = JSON.parse(new TextDecoder().decode(payload)) as ServiceAccountClaims;
    } catch {
      throw new Error('invalid bearer token, square/go-jose: error in cryptographic primitive');
    }
    if (claims.iss !== issuer) throw new Error('invalid bearer token, token issuer is not trusted');
    const seconds = Math.floor(now.getTime() / 1000);
    if (typeof claims.exp === 'number' && seconds > claims.exp) {
      throw new Error('invalid bearer token, square/go-jose/jwt: validation failed, token is expired (exp)');
    }
    if (typeof claims.nbf === 'number' && seconds < claims.nbf) {
      throw new Error('invalid bearer token, square/go-jose/jwt: validation failed, token not valid yet (nbf)');
    }
    return claims;
  }
}

/** The claims of a projected token for this account (the UID is the fake's record of the account). */
export function serviceAccountClaims(
  options: ServiceAccountTokenOptions,
  uid: string,
  issuer: string,
  defaultAudiences: readonly string[],
  now: Date,
): ServiceAccountClaims {
  const iat = Math.floor((options.issuedAt ?? now).getTime() / 1000);
  const nbf = options.notBefore ? Math.floor(options.notBefore.getTime() / 1000) : iat;
  return {
    aud: [...(options.audiences ?? defaultAudiences)],
    exp: iat + (options.expiresIn ?? 3600),
    iat,
    iss: issuer,
    jti: randomUUID(),
    'kubernetes.io': {
      namespace: options.namespace,
      ...(options.pod ? { pod: { name: options.pod.name, uid: options.pod.uid ?? randomUUID() } } : {}),
      serviceaccount: { name: options.name, uid },
    },
    nbf,
    sub: `system:serviceaccount:${options.namespace}:${options.name}`,
  };
}
