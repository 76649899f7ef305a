import { HttpJsonClient } from './http-json-client.js';
import type { JwtConfig } from './jwt-config.js';
import { DEFAULT_JWT_ALGORITHMS, verifySignature, type VerificationKey } from './jwt-signature.js';
import { parsePublicKeyPem } from './public-keys.js';
import { RemoteKeySet } from './remote-key-set.js';

/**
 * Checks token signatures for one config: against its static keys, or a remote JWKS (direct or by
 * OIDC discovery) with its cache. Made once per config and dropped when the config changes.
 */
export class JwtVerifier {
  readonly algorithms: readonly string[];
  readonly #staticKeys: VerificationKey[] | undefined;
  readonly #remote: RemoteKeySet | undefined;
  readonly #client: HttpJsonClient | undefined;

  constructor(config: JwtConfig, now: () => Date) {
    this.algorithms = config.jwtSupportedAlgs.length > 0 ? config.jwtSupportedAlgs : DEFAULT_JWT_ALGORITHMS;
    if (config.jwtValidationPubkeys.length > 0) {
      this.#staticKeys = config.jwtValidationPubkeys.map((pem) => ({ key: parsePublicKeyPem(pem, ['rsa', 'ec', 'ed25519']) }));
      return;
    }
    const discovery = config.oidcDiscoveryUrl !== '';
    const ca = discovery ? config.oidcDiscoveryCaPem : config.jwksCaPem;
    this.#client = new HttpJsonClient(ca === '' ? undefined : ca);
    this.#remote = new RemoteKeySet(discovery ? { discoveryUrl: config.oidcDiscoveryUrl } : { jwksUrl: config.jwksUrl }, this.#client, now);
  }

  /** Fetches the remote keys now; throws KeySetUnavailable when the source does not answer. */
  async load(): Promise<void> {
    await this.#remote?.load();
  }

  /** The token's claims once its signature checks out. Throws JwtRefusal or KeySetUnavailable. */
  verify(token: string): Promise<Record<string, unknown>> {
    return verifySignature(token, this.algorithms, async (kid) => this.#staticKeys ?? (await (this.#remote as RemoteKeySet).keysFor(kid)));
  }

  close(): void {
    this.#client?.close();
  }
}
