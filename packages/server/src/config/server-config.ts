import { readFile } from 'node:fs/promises';
import { CofferError, formatDuration } from '@coffer/sdk';
import type { SealConfig } from '@coffer/seal';
import type { ListenerConfig, LogLevel, ServerConfig } from './config-types.js';
import { readConfigDocument } from './config-document.js';
import { booleanField, choiceField, durationField, integerField, showValue, stringField, urlField, type Fields } from './fields.js';
import { LISTENER } from './listener-stanzas.js';
import { LineIndex } from './positions.js';
import { Problems } from './problems.js';
import { readFields, readStanzas, type StanzaInstance } from './stanzas.js';
import { AUDIT } from './audit-stanzas.js';
import { sealStanzas } from './seal-stanzas.js';
import { serviceRegistrationStanzas } from './service-registration-stanzas.js';
import { storageStanzas } from './storage-stanzas.js';

export type { ListenerConfig, ListenerTls, LogFormat, LogLevel, ServerConfig, ServiceRegistrationConfig, StorageConfig } from './config-types.js';

export type ConfigEnv = Record<string, string | undefined>;

export interface ParseServerConfigOptions {
  /** Named in every error message: `config.hcl:7: …`. */
  fileName: string;
  /** Where the overrides below are read; `process.env` unless given. */
  env?: ConfigEnv | undefined;
}

/** Vault's system-wide lease TTL default and maximum: 32 days. */
const DEFAULT_LEASE_TTL_SECONDS = 768 * 3600;
/** Vault's default `cache_size`. */
const DEFAULT_CACHE_ENTRIES = 131_072;
const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/** Top-level keys. Stanzas (blocks with a type) are in `STANZA_KINDS`. */
const TOP_LEVEL = {
  api_addr: urlField(),
  cluster_addr: urlField(),
  cluster_name: stringField(),
  default_lease_ttl: durationField(),
  max_lease_ttl: durationField(),
  // Vault's other spellings (hclog): warning, notice, err.
  log_level: choiceField(LOG_LEVELS, { default: 'info', aliases: { warning: 'warn', notice: 'info', err: 'error' } }),
  log_format: choiceField(['standard', 'json'], { default: 'standard' }),
  // Accepted so Vault configs load; Node cannot lock memory, so it changes nothing.
  disable_mlock: booleanField(),
  ui: booleanField({ default: false }),
  // Vault's read cache of stored values: on by default, `cache_size` entries (131 072).
  disable_cache: booleanField({ default: false }),
  cache_size: integerField({ min: 1 }),
  pid_file: stringField(),
  // OpenBao's switch for enabling audit devices through the API; Coffer, like Vault, allows it by default.
  unsafe_allow_api_audit_creation: booleanField({ default: true }),
} satisfies Fields;

const STANZA_KINDS = ['storage', 'listener', 'seal', 'audit', 'service_registration'];

/** Environment variables that override a top-level key, as Vault's do; Coffer's name wins. */
const ENV_OVERRIDES = [
  { key: 'api_addr', names: ['COFFER_API_ADDR', 'VAULT_API_ADDR'] },
  { key: 'cluster_addr', names: ['COFFER_CLUSTER_ADDR', 'VAULT_CLUSTER_ADDR'] },
] as const;

/**
 * Parses and validates a server configuration (Vault's format, HCL or JSON) once, at boot. Every
 * problem in the file is reported together, each as `file:line: message`, in one
 * `CofferError('invalid_request')`. The result is frozen.
 */
export async function parseServerConfig(text: string, options: ParseServerConfigOptions): Promise<ServerConfig> {
  const problems = new Problems(options.fileName);
  const root = await readConfigDocument(text, options.fileName, problems);
  if (!root) {
    problems.throwIfAny();
    throw new CofferError('internal', 'configuration parse failed without a reason');
  }
  const env = options.env ?? process.env;
  const skip = new Set(STANZA_KINDS);
  const { values: top } = readFields(root, TOP_LEVEL, problems, { skip });
  const storage = readStanzas(root, storageStanzas(env), problems);
  const listeners = readStanzas(root, LISTENER, problems);
  const seals = readStanzas(root, sealStanzas(env), problems);
  const audits = readStanzas(root, AUDIT, problems);
  const [registration] = readStanzas(root, serviceRegistrationStanzas(env), problems);
  checkDistinctAddresses(listeners, problems);
  checkSeals(seals, problems);

  const overrides: { api_addr?: string; cluster_addr?: string } = {};
  for (const { key, names } of ENV_OVERRIDES) {
    const name = names.find((candidate) => (env[candidate] ?? '') !== '');
    if (name === undefined) continue;
    const checked = TOP_LEVEL[key].check(env[name]);
    if (checked.ok) overrides[key] = checked.value;
    else problems.addElsewhere(`environment variable ${name}`, `${checked.expected}, got ${showValue(env[name])}`);
  }

  // 0 means "the default", as in Vault. An unset default never exceeds a lowered maximum.
  const maxLeaseTtl = top.max_lease_ttl || DEFAULT_LEASE_TTL_SECONDS;
  const defaultLeaseTtl = top.default_lease_ttl || Math.min(DEFAULT_LEASE_TTL_SECONDS, maxLeaseTtl);
  if (defaultLeaseTtl > maxLeaseTtl) {
    const [shorter, longer] = [formatDuration(maxLeaseTtl), formatDuration(defaultLeaseTtl)];
    const message = `"default_lease_ttl" (${longer}) is longer than "max_lease_ttl" (${shorter})`;
    problems.add(root.keyLine('default_lease_ttl'), message);
  }

  problems.throwIfAny();
  const [store] = storage;
  if (!store) throw new CofferError('internal', 'configuration validation passed without a storage stanza');
  const apiAddr = overrides.api_addr ?? top.api_addr;
  const clusterAddr = overrides.cluster_addr ?? top.cluster_addr;
  return deepFreeze<ServerConfig>({
    storage: store.config,
    listeners: listeners.map((listener) => listener.config),
    seals: seals.map((seal) => seal.config),
    audit: { devices: audits.map((a) => a.config), allowApi: top.unsafe_allow_api_audit_creation ?? true },
    ...(apiAddr === undefined ? {} : { apiAddr }),
    ...(clusterAddr === undefined ? {} : { clusterAddr }),
    ...(top.cluster_name === undefined ? {} : { clusterName: top.cluster_name }),
    defaultLeaseTtl,
    maxLeaseTtl,
    logLevel: top.log_level ?? 'info',
    logFormat: top.log_format ?? 'standard',
    ui: top.ui ?? false,
    readCacheEntries: top.disable_cache ? 0 : (top.cache_size ?? DEFAULT_CACHE_ENTRIES),
    ...(top.pid_file === undefined ? {} : { pidFile: top.pid_file }),
    ...(registration ? { serviceRegistration: registration.config } : {}),
  });
}

/** Reads a config file and parses it; the path as given names the file in error messages. */
export async function loadServerConfig(path: string, env?: ConfigEnv): Promise<ServerConfig> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const reason = describeReadError(cause);
    throw new CofferError('invalid_request', `cannot read the configuration file ${path}: ${reason}`, { cause });
  }
  return parseServerConfig(decodeUtf8(bytes, path), { fileName: path, env });
}

/** Two seal stanzas only make sense for a migration: exactly one of them disabled, of different types. */
function checkSeals(seals: StanzaInstance<SealConfig>[], problems: Problems): void {
  if (seals.length < 2) return;
  const [a, b] = seals as [StanzaInstance<SealConfig>, StanzaInstance<SealConfig>];
  if (a.config.disabled === b.config.disabled) {
    problems.add(b.line, 'two seal stanzas are allowed only for a migration: mark the old one disabled = "true"');
  } else if (a.config.type === b.config.type && a.config.type === 'shamir') {
    problems.add(b.line, 'a migration needs two different seals');
  }
}

function checkDistinctAddresses(listeners: StanzaInstance<ListenerConfig>[], problems: Problems): void {
  const seen = new Map<string, number>();
  for (const { config, body } of listeners) {
    if (config.port === 0) continue; // each gets its own free port
    const key = `${config.host}|${config.port}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, body.line);
    else {
      problems.add(
        body.keyLine('address'),
        `"address" in listener "${config.type}": ${config.address} is already used by the listener at line ${first}`,
      );
    }
  }
}

function decodeUtf8(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const text = new TextDecoder('utf-8').decode(bytes);
    const at = Math.max(0, text.indexOf('\uFFFD'));
    const lines = new LineIndex(text);
    throw new CofferError(
      'invalid_request',
      `${path}:${lines.line(at)}:${lines.column(at)}: the file is not valid UTF-8 text; is it a binary file?`,
    );
  }
}

function describeReadError(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory; give the path of a .hcl or .json file';
  return cause instanceof Error ? cause.message : String(cause);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
