import { CofferError, type Fields } from '@coffer/sdk';
import { hasCertificate, parsePublicKeyPem } from '../jwt/public-keys.js';

/** The kubernetes method's `config`, as stored. Writing it replaces every field, as in Vault. */
export interface KubernetesConfig {
  /** Base URL of the API server, without trailing slash. */
  host: string;
  caCert: string;
  /** A secret: stored behind the barrier, never returned (reads say only whether it is set). */
  tokenReviewerJwt: string;
  pemKeys: string[];
  issuer: string;
  disableIssValidation: boolean;
  disableLocalCaJwt: boolean;
}

export const CONFIG_FIELDS = {
  kubernetes_host: { type: 'string', description: 'URL (or host[:port]) of the Kubernetes API server.' },
  kubernetes_ca_cert: { type: 'string', description: 'PEM CA certificate(s) the API server’s certificate must chain to.' },
  token_reviewer_jwt: { type: 'string', sensitive: true, description: 'Bearer token for TokenReview calls; without one, the client’s own JWT is used.' },
  pem_keys: { type: 'strings', description: 'PEM public keys or certificates that verify service-account JWTs locally (optional).' },
  issuer: { type: 'string', description: 'Deprecated: the `iss` tokens must have, checked only when disable_iss_validation is false.' },
  disable_iss_validation: { type: 'bool', default: true, description: 'Deprecated: skip the issuer check (default true).' },
  disable_local_ca_jwt: { type: 'bool', default: false, description: 'Do not fall back to the pod’s own service-account token and CA.' },
  use_annotations_as_alias_metadata: { type: 'bool', default: false, description: 'Not supported; must be false.' },
} as const satisfies Fields;

/** A config write checked with Vault's rules and messages. */
export function parseConfig(fields: Record<string, unknown>): KubernetesConfig {
  const text = (name: string) => ((fields[name] as string | undefined) ?? '').trim();
  const rawHost = text('kubernetes_host');
  if (rawHost === '') throw invalid('no host provided');
  // Vault takes "a host string, a host:port pair, or a URL"; the API server only speaks https.
  const host = (/^https?:\/\//i.test(rawHost) ? rawHost : `https://${rawHost}`).replace(/\/+$/, '');
  try {
    new URL(host);
  } catch {
    throw invalid(`invalid kubernetes_host "${rawHost}"`);
  }
  const caCert = text('kubernetes_ca_cert');
  if (caCert !== '' && !hasCertificate(caCert)) throw invalid('The provided CA PEM data contains no valid certificates');
  const pemKeys = ((fields.pem_keys as string[] | undefined) ?? []).map((s) => s.trim()).filter((s) => s !== '');
  for (const pem of pemKeys) {
    try {
      parsePublicKeyPem(pem, ['rsa', 'ec']);
    } catch {
      throw invalid('data does not contain any valid RSA or ECDSA public keys');
    }
  }
  if (fields.use_annotations_as_alias_metadata === true) {
    throw invalid('use_annotations_as_alias_metadata is not supported: Coffer has no identity aliases');
  }
  return {
    host,
    caCert,
    tokenReviewerJwt: text('token_reviewer_jwt'),
    pemKeys,
    issuer: text('issuer'),
    disableIssValidation: fields.disable_iss_validation as boolean,
    disableLocalCaJwt: fields.disable_local_ca_jwt as boolean,
  };
}

/** `GET config`, as Vault shows it: the reviewer JWT only as `token_reviewer_jwt_set`. */
export function configJson(config: KubernetesConfig): Record<string, unknown> {
  return {
    disable_iss_validation: config.disableIssValidation,
    disable_local_ca_jwt: config.disableLocalCaJwt,
    issuer: config.issuer,
    kubernetes_ca_cert: config.caCert,
    kubernetes_host: config.host,
    pem_keys: [...config.pemKeys],
    token_reviewer_jwt_set: config.tokenReviewerJwt !== '',
    use_annotations_as_alias_metadata: false,
  };
}

function invalid(message: string): CofferError {
  return new CofferError('invalid_request', message);
}
