import { CofferError, type Fields } from '@coffer/sdk';
import { parsePublicKeyPem, hasCertificate } from './public-keys.js';
import { SUPPORTED_JWT_ALGORITHMS } from './jwt-signature.js';

/** The jwt method's `config`, as stored. Writing it replaces every field, as in Vault. */
export interface JwtConfig {
  oidcDiscoveryUrl: string;
  oidcDiscoveryCaPem: string;
  jwksUrl: string;
  jwksCaPem: string;
  jwtValidationPubkeys: string[];
  jwtSupportedAlgs: string[];
  boundIssuer: string;
  defaultRole: string;
}

export const CONFIG_FIELDS = {
  oidc_discovery_url: { type: 'string', description: 'OIDC issuer URL (without .well-known); its discovery document names the JWKS.' },
  oidc_discovery_ca_pem: { type: 'string', description: 'CA certificates (PEM) for the discovery URL and its JWKS.' },
  jwks_url: { type: 'string', description: 'JWKS URL whose keys verify tokens.' },
  jwks_ca_pem: { type: 'string', description: 'CA certificates (PEM) for the JWKS URL.' },
  jwt_validation_pubkeys: { type: 'strings', description: 'PEM public keys (or certificates) that verify tokens locally.' },
  jwt_supported_algs: { type: 'strings', description: 'Accepted signing algorithms (default: RS, ES and PS 256/384/512 and EdDSA).' },
  bound_issuer: { type: 'string', description: 'The value the `iss` claim must have.' },
  default_role: { type: 'string', description: 'The role used when a login names none.' },
} as const satisfies Fields;

/**
 * A config write checked as Vault checks it: exactly one key source, parsable keys, CA bundles
 * with a certificate, known algorithms. Reachability of remote sources is checked by the caller.
 */
export function parseConfig(fields: Record<string, unknown>): JwtConfig {
  const text = (name: string) => ((fields[name] as string | undefined) ?? '').trim();
  const list = (name: string) => ((fields[name] as string[] | undefined) ?? []).map((s) => s.trim()).filter((s) => s !== '');
  const config: JwtConfig = {
    oidcDiscoveryUrl: text('oidc_discovery_url'),
    oidcDiscoveryCaPem: text('oidc_discovery_ca_pem'),
    jwksUrl: text('jwks_url'),
    jwksCaPem: text('jwks_ca_pem'),
    // PEM blocks contain no commas, so the comma-separated form splits cleanly.
    jwtValidationPubkeys: list('jwt_validation_pubkeys'),
    jwtSupportedAlgs: list('jwt_supported_algs'),
    boundIssuer: text('bound_issuer'),
    defaultRole: text('default_role').toLowerCase(),
  };
  const sources = [config.oidcDiscoveryUrl !== '', config.jwtValidationPubkeys.length > 0, config.jwksUrl !== ''].filter(Boolean);
  if (sources.length !== 1) throw invalid("exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set");
  for (const pem of config.jwtValidationPubkeys) {
    try {
      parsePublicKeyPem(pem, ['rsa', 'ec', 'ed25519']);
    } catch (error) {
      throw invalid(`error parsing public key: ${(error as Error).message}`);
    }
  }
  for (const url of [config.oidcDiscoveryUrl, config.jwksUrl]) {
    if (url !== '' && !/^https?:\/\/[^/]/.test(url)) throw invalid(`invalid URL "${url}": an http or https URL is required`);
  }
  if (config.jwksCaPem !== '' && !hasCertificate(config.jwksCaPem)) throw invalid('error checking jwks_ca_pem');
  if (config.oidcDiscoveryCaPem !== '' && !hasCertificate(config.oidcDiscoveryCaPem)) {
    throw invalid('error checking oidc discovery URL: oidc_discovery_ca_pem holds no certificate');
  }
  const unknown = config.jwtSupportedAlgs.find((alg) => !SUPPORTED_JWT_ALGORITHMS.has(alg));
  if (unknown !== undefined) throw invalid(`invalid jwt_supported_algs: unsupported signing algorithm "${unknown}"`);
  return config;
}

/** `GET config`, with Vault's keys (the OIDC browser-flow ones are always empty here). */
export function configJson(config: JwtConfig): Record<string, unknown> {
  return {
    bound_issuer: config.boundIssuer,
    default_role: config.defaultRole,
    jwks_ca_pem: config.jwksCaPem,
    jwks_pairs: [],
    jwks_url: config.jwksUrl,
    jwt_supported_algs: [...config.jwtSupportedAlgs],
    jwt_validation_pubkeys: [...config.jwtValidationPubkeys],
    namespace_in_state: true,
    oidc_client_id: '',
    oidc_discovery_ca_pem: config.oidcDiscoveryCaPem,
    oidc_discovery_url: config.oidcDiscoveryUrl,
    oidc_response_mode: '',
    oidc_response_types: [],
    provider_config: {},
    unsupported_critical_cert_extensions: [],
  };
}

function invalid(message: string): CofferError {
  return new CofferError('invalid_request', message);
}
