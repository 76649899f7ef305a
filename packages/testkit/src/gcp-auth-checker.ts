import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { FakeReply, RecordedRequest } from './fake-http-server.js';

interface JwtParts {
  header: { alg?: unknown; kid?: unknown };
  payload: { iss?: unknown; exp?: unknown };
  signed: string;
  signature: Buffer;
}

/**
 * What the GCP fake accepts as credentials: RS256 JWTs signed by a service-account key it made
 * (google-auth-library signs its own access JWTs for service accounts, or trades one at the token
 * endpoint), and opaque tokens it issued.
 */
export class GoogleAuthChecker {
  readonly #keys = new Map<string, { email: string; key: KeyObject }>();
  readonly #tokens = new Set<string>();

  trust(keyId: string, email: string, publicKey: KeyObject | string): void {
    this.#keys.set(keyId, { email, key: typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey });
  }

  issue(): string {
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    this.#tokens.add(token);
    return token;
  }

  accepts(request: RecordedRequest): boolean {
    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    if (!bearer) return false;
    return this.#tokens.has(bearer) || this.#validJwt(bearer);
  }

  /** The OAuth 2.0 JWT-bearer grant at `token_uri`: a valid assertion buys an access token. */
  exchange(request: RecordedRequest): FakeReply {
    const form = new URLSearchParams(request.body);
    const assertion = form.get('assertion');
    if (
      form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' ||
      !assertion ||
      !this.#validJwt(assertion)
    ) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
    }
    return { status: 200, body: { access_token: this.issue(), expires_in: 3599, token_type: 'Bearer' } };
  }

  #validJwt(token: string): boolean {
    const jwt = parseJwt(token);
    if (!jwt || jwt.header.alg !== 'RS256' || typeof jwt.header.kid !== 'string') return false;
    const trusted = this.#keys.get(jwt.header.kid);
    if (!trusted || jwt.payload.iss !== trusted.email) return false;
    if (typeof jwt.payload.exp !== 'number' || jwt.payload.exp * 1000 < Date.now()) return false;
    return verify('sha256', Buffer.from(jwt.signed), trusted.key, jwt.signature);
  }
}

function parseJwt(token: string): JwtParts | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const [header, payload, signature] = parts as [string, string, string];
    return {
      header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as JwtParts['header'],
      payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as JwtParts['payload'],
      signed: `${header}.${payload}`,
      signature: Buffer.from(signature, 'base64url'),
    };
  } catch {
    return undefined;
  }
}
