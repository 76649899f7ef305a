import { OptionReader, checkUrl, type SealEnvironment } from './option-reader.js';

/** `seal "gcpckms"`, checked and typed. Without `credentials`, Application Default Credentials apply. */
export interface GcpCkmsConfig {
  readonly type: 'gcpckms';
  readonly disabled: boolean;
  /** Path of a service-account JSON key file. */
  readonly credentials?: string;
  readonly project: string;
  readonly region: string;
  readonly keyRing: string;
  readonly cryptoKey: string;
  /** `projects/<p>/locations/<r>/keyRings/<ring>/cryptoKeys/<key>` */
  readonly keyName: string;
  /** Coffer's option (not Vault's): another Cloud KMS endpoint, e.g. a private one or a test fake. */
  readonly endpoint?: string;
}

export const GCPCKMS_OPTIONS = ['credentials', 'project', 'region', 'key_ring', 'crypto_key', 'endpoint'] as const;

const ID = /^[a-zA-Z0-9_-]{1,63}$/;
const PROJECT = /^[a-z][a-z0-9-.:]{3,61}[a-z0-9]$/;

/**
 * Parses `seal "gcpckms"` as Vault does: GOOGLE_CREDENTIALS, GOOGLE_PROJECT, GOOGLE_REGION,
 * VAULT_GCPCKMS_SEAL_KEY_RING and VAULT_GCPCKMS_SEAL_CRYPTO_KEY override the stanza;
 * GOOGLE_APPLICATION_CREDENTIALS is used when neither names a credentials file. Region defaults to
 * `global`, as in Vault.
 */
export function parseGcpCkmsConfig(options: unknown, env: SealEnvironment = {}): GcpCkmsConfig {
  const reader = new OptionReader('gcpckms', options, env, GCPCKMS_OPTIONS);
  const disabled = reader.disabled();
  const credentials = reader.string('credentials', {
    envFirst: ['GOOGLE_CREDENTIALS'],
    envFallback: ['GOOGLE_APPLICATION_CREDENTIALS'],
  });
  if (credentials?.startsWith('{')) {
    reader.problem('credentials', '"credentials" is the path of a JSON key file, not the JSON itself');
  }
  const projectSources = { envFirst: ['GOOGLE_PROJECT'] };
  const project = reader.require('project', reader.string('project', projectSources), projectSources);
  if (project !== undefined && !PROJECT.test(project)) reader.problem('project', `"project" must be a GCP project id`);
  const region = reader.string('region', { envFirst: ['GOOGLE_REGION'] }) ?? 'global';
  if (!/^[a-z0-9-]+$/.test(region))
    reader.problem('region', `"region" must be a Cloud KMS location such as global or europe-west1`);
  const ringSources = { envFirst: ['GCPCKMS_WRAPPER_KEY_RING', 'VAULT_GCPCKMS_SEAL_KEY_RING'] };
  const keyRing = reader.require('key_ring', reader.string('key_ring', ringSources), ringSources);
  const keySources = { envFirst: ['GCPCKMS_WRAPPER_CRYPTO_KEY', 'VAULT_GCPCKMS_SEAL_CRYPTO_KEY'] };
  const cryptoKey = reader.require('crypto_key', reader.string('crypto_key', keySources), keySources);
  for (const [key, value] of [
    ['key_ring', keyRing],
    ['crypto_key', cryptoKey],
  ] as const) {
    if (value !== undefined && !ID.test(value))
      reader.problem(key, `"${key}" must be 1-63 letters, digits, dashes or underscores`);
  }
  const endpoint = checkUrl(reader, 'endpoint', reader.string('endpoint'));
  reader.finish();
  return Object.freeze({
    type: 'gcpckms',
    disabled,
    ...(credentials === undefined ? {} : { credentials }),
    project: project as string,
    region,
    keyRing: keyRing as string,
    cryptoKey: cryptoKey as string,
    keyName: `projects/${project}/locations/${region}/keyRings/${keyRing}/cryptoKeys/${cryptoKey}`,
    ...(endpoint === undefined ? {} : { endpoint }),
  });
}
