import { OptionReader, checkUrl, type SealEnvironment } from './option-reader.js';
import type { SecretValue } from './secret-value.js';

/** `seal "transit"`: another Coffer's (or Vault's) transit engine holds the key. */
export interface TransitSealConfig {
  readonly type: 'transit';
  readonly disabled: boolean;
  /** Base address, no trailing slash: `https://coffer.example:8200`. */
  readonly address: string;
  readonly token: SecretValue;
  readonly keyName: string;
  /** Without slashes at either end: `transit`, `kms/prod`. */
  readonly mountPath: string;
  readonly namespace?: string;
  readonly disableRenewal: boolean;
  readonly tlsCaCert?: string;
  readonly tlsClientCert?: string;
  readonly tlsClientKey?: string;
  readonly tlsServerName?: string;
  readonly tlsSkipVerify: boolean;
}

export const TRANSIT_OPTIONS = [
  'address',
  'token',
  'key_name',
  'mount_path',
  'namespace',
  'disable_renewal',
  'tls_ca_cert',
  'tls_client_cert',
  'tls_client_key',
  'tls_server_name',
  'tls_skip_verify',
] as const;

/** Vault's API client default when neither the stanza nor VAULT_ADDR gives an address. */
const DEFAULT_ADDRESS = 'https://127.0.0.1:8200';

/**
 * Parses `seal "transit"` as Vault does. VAULT_TRANSIT_SEAL_KEY_NAME, VAULT_TRANSIT_SEAL_MOUNT_PATH
 * and VAULT_TRANSIT_SEAL_DISABLE_RENEWAL override the stanza; VAULT_ADDR, VAULT_TOKEN,
 * VAULT_NAMESPACE, VAULT_CACERT, VAULT_CLIENT_CERT, VAULT_CLIENT_KEY, VAULT_TLS_SERVER_NAME and
 * VAULT_SKIP_VERIFY fill in what the stanza leaves out (as Vault's API client reads them).
 */
export function parseTransitSealConfig(options: unknown, env: SealEnvironment = {}): TransitSealConfig {
  const reader = new OptionReader('transit', options, env, TRANSIT_OPTIONS);
  const disabled = reader.disabled();
  const address = checkUrl(
    reader,
    'address',
    reader.string('address', { envFallback: ['VAULT_ADDR'] }) ?? DEFAULT_ADDRESS,
  );
  const tokenSources = { envFallback: ['VAULT_TOKEN'] };
  const token = reader.require('token', reader.secret('token', tokenSources), tokenSources);
  const keySources = { envFirst: ['VAULT_TRANSIT_SEAL_KEY_NAME'] };
  const keyName = reader.require('key_name', reader.string('key_name', keySources), keySources);
  if (keyName !== undefined && !/^[\w.-]+$/.test(keyName))
    reader.problem('key_name', '"key_name" must be a transit key name (letters, digits, _ . -)');
  const mount = reader.string('mount_path', { envFirst: ['VAULT_TRANSIT_SEAL_MOUNT_PATH'] }) ?? 'transit/';
  const mountPath = mount.replace(/^\/+|\/+$/g, '');
  // `.` and `..` segments would be resolved away in the URL and reach another path than named.
  if (!/^[\w.-]+(\/[\w.-]+)*$/.test(mountPath) || mountPath.split('/').some((s) => s === '.' || s === '..'))
    reader.problem('mount_path', '"mount_path" must be a mount path such as transit/');
  const namespace = reader.string('namespace', { envFallback: ['VAULT_NAMESPACE'] });
  const disableRenewal =
    reader.boolean('disable_renewal', { envFirst: ['VAULT_TRANSIT_SEAL_DISABLE_RENEWAL'] }) ?? false;
  const tlsCaCert = reader.string('tls_ca_cert', { envFallback: ['VAULT_CACERT'] });
  const tlsClientCert = reader.string('tls_client_cert', { envFallback: ['VAULT_CLIENT_CERT'] });
  const tlsClientKey = reader.string('tls_client_key', { envFallback: ['VAULT_CLIENT_KEY'] });
  if ((tlsClientCert === undefined) !== (tlsClientKey === undefined)) {
    reader.problem(
      tlsClientCert === undefined ? 'tls_client_cert' : 'tls_client_key',
      '"tls_client_cert" and "tls_client_key" go together: give both or neither',
    );
  }
  const tlsServerName = reader.string('tls_server_name', { envFallback: ['VAULT_TLS_SERVER_NAME'] });
  const tlsSkipVerify = reader.boolean('tls_skip_verify', { envFallback: ['VAULT_SKIP_VERIFY'] }) ?? false;
  reader.finish();
  return Object.freeze({
    type: 'transit',
    disabled,
    address: address as string,
    token: token as SecretValue,
    keyName: keyName as string,
    mountPath,
    ...(namespace === undefined ? {} : { namespace }),
    disableRenewal,
    ...(tlsCaCert === undefined ? {} : { tlsCaCert }),
    ...(tlsClientCert === undefined ? {} : { tlsClientCert }),
    ...(tlsClientKey === undefined ? {} : { tlsClientKey }),
    ...(tlsServerName === undefined ? {} : { tlsServerName }),
    tlsSkipVerify,
  });
}
