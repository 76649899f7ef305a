import { isPlainObject } from '@coffer/sdk';
import { readBoolean, readDurationMs, readEndpoints, readSize, readString, type Read } from './config-values.js';
import { EtcdConfigError, type EtcdConfigProblem } from './etcd-config-error.js';

/** Every option `storage "etcd" {}` accepts: Vault's names, so Vault configs keep working. */
export const ETCD_STORAGE_OPTIONS = [
  'address',
  'path',
  'ha_enabled',
  'lock_timeout',
  'request_timeout',
  'username',
  'password',
  'tls_ca_file',
  'tls_cert_file',
  'tls_key_file',
  'max_receive_size',
  'max_send_size',
  // Vault's, accepted for compatibility and otherwise ignored (see parseEtcdStorageConfig).
  'etcd_api',
  'sync',
  'discovery_srv',
  'discovery_srv_name',
] as const;

/** etcd's own default `--max-request-bytes`: a write larger than this never reaches its log. */
export const ETCD_DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

export interface EtcdStorageConfig {
  /** Normalised `http(s)://host:port` URLs, one scheme for all. */
  readonly endpoints: readonly string[];
  /** Key prefix, always starting and ending with `/` (default `/coffer/`). */
  readonly path: string;
  readonly haEnabled: boolean;
  /** TTL of the leader lease: how long a crashed leader keeps others waiting (default 15). */
  readonly lockTimeoutSeconds: number;
  /** Budget of one storage call, retries included (default 5000). */
  readonly requestTimeoutMs: number;
  readonly username?: string;
  /** A secret: never log the config object whole. */
  readonly password?: string;
  readonly tlsCaFile?: string;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** The client's gRPC receive limit (gRPC's default, 4 MiB, when unset). */
  readonly maxReceiveBytes?: number;
  /** The largest write request etcd accepts: `max_send_size`, else etcd's default 1.5 MiB. */
  readonly maxRequestBytes: number;
}

export type EtcdEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Reads a `storage "etcd"` stanza as Vault does, with its environment variables: ETCD_ADDR (when
 * `address` is not set), ETCD_HA_ENABLED (wins over `ha_enabled`), ETCD_USERNAME / ETCD_PASSWORD
 * (when the stanza has none). Unknown keys and bad values are refused together, by key, in an
 * EtcdConfigError. `etcd_api` must be v3 if given; `sync` is accepted and ignored (the client
 * balances over the listed endpoints); `discovery_srv` is refused unless `address` is also given.
 */
export function parseEtcdStorageConfig(body: unknown, env: EtcdEnvironment = {}): EtcdStorageConfig {
  const problems: EtcdConfigProblem[] = [];
  if (!isPlainObject(body)) throw new EtcdConfigError([{ key: undefined, message: 'the stanza body must be an object of options' }]);
  const options: Record<string, unknown> = body;
  const known: readonly string[] = ETCD_STORAGE_OPTIONS;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) problems.push({ key, message: `unknown option "${key}" (known: ${known.join(', ')})` });
  }
  const given = (key: string) => options[key] !== undefined && options[key] !== null;
  const envValue = (name: string) => (env[name]?.trim() ? env[name]?.trim() : undefined);
  function read<T>(key: string, reader: (raw: unknown) => Read<T>, raw: unknown = options[key], where = `"${key}"`): T | undefined {
    if (raw === undefined || raw === null) return undefined;
    const result = reader(raw);
    if (result.ok) return result.value;
    problems.push({ key, message: `${where} ${result.message}` });
    return undefined;
  }

  let endpoints: string[] | undefined;
  if (given('address')) endpoints = read('address', readEndpoints);
  else if (envValue('ETCD_ADDR')) endpoints = read('address', readEndpoints, envValue('ETCD_ADDR'), 'environment variable ETCD_ADDR');
  else if (given('discovery_srv')) {
    problems.push({ key: 'discovery_srv', message: '"discovery_srv" (DNS SRV discovery) is not supported; list the members in "address"' });
  } else endpoints = ['http://localhost:2379'];

  const rawPath = read('path', readString);
  const path = rawPath === undefined ? '/coffer/' : `/${rawPath.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');

  const haEnabled = envValue('ETCD_HA_ENABLED')
    ? read('ha_enabled', readBoolean, envValue('ETCD_HA_ENABLED'), 'environment variable ETCD_HA_ENABLED')
    : read('ha_enabled', readBoolean);

  const lockTimeoutMs = read('lock_timeout', readDurationMs) ?? 15_000;
  if (lockTimeoutMs < 1000) problems.push({ key: 'lock_timeout', message: '"lock_timeout" must be at least 1s' });
  const requestTimeoutMs = read('request_timeout', readDurationMs) ?? 5000;
  if (requestTimeoutMs < 100) problems.push({ key: 'request_timeout', message: '"request_timeout" must be at least 100ms' });

  const stanzaOrEnv = (key: string, variable: string) =>
    given(key) ? read(key, readString) : read(key, readString, envValue(variable), `environment variable ${variable}`);
  const username = stanzaOrEnv('username', 'ETCD_USERNAME');
  const password = stanzaOrEnv('password', 'ETCD_PASSWORD');
  if (username !== undefined && password === undefined) problems.push({ key: 'password', message: '"password" is required with "username"' });
  if (password !== undefined && username === undefined) problems.push({ key: 'username', message: '"username" is required with "password"' });

  const tlsCaFile = read('tls_ca_file', readString);
  const tlsCertFile = read('tls_cert_file', readString);
  const tlsKeyFile = read('tls_key_file', readString);
  if (tlsCertFile !== undefined && tlsKeyFile === undefined) problems.push({ key: 'tls_key_file', message: '"tls_key_file" is required with "tls_cert_file"' });
  if (tlsKeyFile !== undefined && tlsCertFile === undefined) problems.push({ key: 'tls_cert_file', message: '"tls_cert_file" is required with "tls_key_file"' });
  const tlsKey = ['tls_ca_file', 'tls_cert_file', 'tls_key_file'].find(given);
  if (tlsKey && endpoints?.[0]?.startsWith('http:')) {
    problems.push({ key: tlsKey, message: `"${tlsKey}" needs https:// addresses in "address"` });
  }

  const maxReceiveBytes = read('max_receive_size', readSize);
  const maxRequestBytes = read('max_send_size', readSize) ?? ETCD_DEFAULT_MAX_REQUEST_BYTES;

  const api = read('etcd_api', readString);
  if (api !== undefined && !['3', 'v3'].includes(api)) {
    problems.push({ key: 'etcd_api', message: '"etcd_api" must be "v3": etcd\'s v2 API is not supported' });
  }
  read('sync', readBoolean);
  read('discovery_srv_name', readString);

  if (problems.length) throw new EtcdConfigError(problems);
  return Object.freeze({
    endpoints: Object.freeze(endpoints ?? []),
    path,
    haEnabled: haEnabled ?? false,
    lockTimeoutSeconds: Math.ceil(lockTimeoutMs / 1000),
    requestTimeoutMs,
    maxRequestBytes,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(tlsCaFile === undefined ? {} : { tlsCaFile }),
    ...(tlsCertFile === undefined ? {} : { tlsCertFile }),
    ...(tlsKeyFile === undefined ? {} : { tlsKeyFile }),
    ...(maxReceiveBytes === undefined ? {} : { maxReceiveBytes }),
  });
}
