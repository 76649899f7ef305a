import { parseBool, parseDurationMs, parseKubernetesVersion, parseQuantity, parseWholeNumber } from './values.js';

/** The agent resources an annotation `agent-<key>` or a setting can give. */
export const RESOURCE_KEYS = ['requests-cpu', 'requests-mem', 'requests-ephemeral', 'limits-cpu', 'limits-mem', 'limits-ephemeral'] as const;
export type ResourceKey = (typeof RESOURCE_KEYS)[number];

/** What every injected agent gets unless its pod's annotations say otherwise. */
export interface AgentDefaults {
  vaultAddress: string;
  image: string;
  authType: string;
  authPath: string;
  vaultNamespace: string | undefined;
  runAsUser: number;
  runAsGroup: number;
  runAsSameUser: boolean;
  setSecurityContext: boolean;
  defaultTemplate: 'map' | 'json';
  /** An empty string removes that request or limit. */
  resources: Record<ResourceKey, string>;
  exitOnRetryFailure: boolean;
  staticSecretRenderInterval: string | undefined;
  leaseRenewalThreshold: number | undefined;
  authMinBackoff: string | undefined;
  authMaxBackoff: string | undefined;
  /** Sidecars as native sidecars (init containers with restartPolicy Always). */
  nativeSidecar: boolean;
  /** The cluster's version when the operator gave it: native sidecars need 1.29. */
  kubernetesVersion: [number, number] | undefined;
}

export type TlsSettings =
  | { mode: 'auto'; webhookName: string; hosts: string[]; secretName: string; namespace: string | undefined }
  | { mode: 'files'; certFile: string; keyFile: string };

export interface InjectorSettings {
  listen: { host: string; port: number };
  logLevel: string;
  /** Where Prometheus metrics are served; undefined turns them off. */
  telemetryPath: string | undefined;
  tls: TlsSettings;
  tlsMinVersion: 'TLSv1.2' | 'TLSv1.3';
  agent: AgentDefaults;
  /** vault-k8s settings that were given but mean nothing here: logged at start. */
  ignored: string[];
}

/**
 * A small CPU request (vault-k8s's 250m is a known complaint: vault-k8s#216, vault-helm#472); an
 * agent idles at a few millicores. Memory is sized for what `coffer agent` measures with the JSON
 * config the injector writes: ~59 MB resident (Node itself is ~43 MB). HCL configs cost ~65 MB more
 * (the HCL parser is WebAssembly), but injected agents never read HCL.
 */
export const DEFAULT_RESOURCES: Record<ResourceKey, string> = {
  'requests-cpu': '50m',
  'requests-mem': '64Mi',
  'requests-ephemeral': '',
  'limits-cpu': '250m',
  'limits-mem': '128Mi',
  'limits-ephemeral': '',
};

const RESOURCE_ENV: Record<ResourceKey, string> = {
  'requests-cpu': 'CPU_REQUEST',
  'requests-mem': 'MEM_REQUEST',
  'requests-ephemeral': 'EPHEMERAL_REQUEST',
  'limits-cpu': 'CPU_LIMIT',
  'limits-mem': 'MEM_LIMIT',
  'limits-ephemeral': 'EPHEMERAL_LIMIT',
};

/** vault-k8s settings accepted so its Deployment carries over, but without effect here. */
const IGNORED = [
  'LOG_FORMAT',
  'VAULT_CACERT_BYTES',
  'PROXY_ADDR',
  'REVOKE_ON_SHUTDOWN',
  'USE_LEADER_ELECTOR',
  'TEMPLATE_MAX_CONNECTIONS_PER_HOST',
  'DISABLE_IDLE_CONNECTIONS',
  'DISABLE_KEEP_ALIVES',
  'TLS_CIPHER_SUITES',
  'TLS_CA_CERT_FILE',
];

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid injector settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/**
 * Reads vault-k8s's `AGENT_INJECT_*` variables (plus Coffer's `AGENT_INJECT_KUBERNETES_VERSION`,
 * `AGENT_INJECT_NATIVE_SIDECAR` and `AGENT_INJECT_TLS_SECRET_NAME`, and `NAMESPACE` for the
 * certificate Secret). Every problem is reported at once in a SettingsError.
 */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): InjectorSettings {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => env[`AGENT_INJECT_${name}`];
  const text = (name: string, fallback: string): string => {
    const v = raw(name)?.trim();
    return v === undefined || v === '' ? fallback : v;
  };
  const optional = (name: string): string | undefined => {
    const v = raw(name)?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = optional(name);
    if (v === undefined) return fallback;
    const parsed = parseBool(v);
    if (parsed === undefined) problems.push(`AGENT_INJECT_${name}: ${JSON.stringify(v)} is not true or false`);
    return parsed ?? fallback;
  };
  const id = (name: string, fallback: number): number => {
    const v = optional(name);
    if (v === undefined) return fallback;
    const parsed = parseWholeNumber(v);
    if (parsed === undefined) problems.push(`AGENT_INJECT_${name}: ${JSON.stringify(v)} is not a user or group ID`);
    return parsed ?? fallback;
  };
  const duration = (name: string): string | undefined => {
    const v = optional(name);
    if (v !== undefined && parseDurationMs(v) === undefined) problems.push(`AGENT_INJECT_${name}: ${JSON.stringify(v)} is not a duration such as "30s" or "5m"`);
    return v;
  };

  const vaultAddress = optional('VAULT_ADDR');
  if (vaultAddress === undefined) problems.push('AGENT_INJECT_VAULT_ADDR is required: the address injected agents use to reach Coffer');
  else if (!/^https?:\/\/[^/]/.test(vaultAddress)) problems.push(`AGENT_INJECT_VAULT_ADDR: ${JSON.stringify(vaultAddress)} is not an http:// or https:// URL`);
  const image = optional('VAULT_IMAGE');
  if (image === undefined) problems.push('AGENT_INJECT_VAULT_IMAGE is required: the Coffer image the injected agents run (the injector\'s own image)');

  const listen = parseListen(text('LISTEN', ':8080'));
  if (!listen) problems.push(`AGENT_INJECT_LISTEN: ${JSON.stringify(raw('LISTEN'))} is not [host]:port`);

  const defaultTemplate = text('DEFAULT_TEMPLATE', 'map').toLowerCase();
  if (defaultTemplate !== 'map' && defaultTemplate !== 'json') problems.push(`AGENT_INJECT_DEFAULT_TEMPLATE: ${JSON.stringify(defaultTemplate)} is not map or json`);

  const resources = { ...DEFAULT_RESOURCES };
  for (const key of RESOURCE_KEYS) {
    const v = raw(RESOURCE_ENV[key]);
    if (v === undefined) continue;
    // Set but empty removes the request or limit (vault-k8s#166: limits could not be removed).
    if (v.trim() !== '' && parseQuantity(v) === undefined) problems.push(`AGENT_INJECT_${RESOURCE_ENV[key]}: ${JSON.stringify(v)} is not a resource quantity such as "250m" or "64Mi"`);
    resources[key] = v.trim();
  }

  let leaseRenewalThreshold: number | undefined;
  const threshold = optional('TEMPLATE_LEASE_RENEWAL_THRESHOLD');
  if (threshold !== undefined) {
    leaseRenewalThreshold = Number(threshold);
    if (!(leaseRenewalThreshold > 0 && leaseRenewalThreshold < 1)) problems.push(`AGENT_INJECT_TEMPLATE_LEASE_RENEWAL_THRESHOLD: ${JSON.stringify(threshold)} is not a number between 0 and 1`);
  }

  const versionText = optional('KUBERNETES_VERSION');
  const kubernetesVersion = versionText === undefined ? undefined : parseKubernetesVersion(versionText);
  if (versionText !== undefined && !kubernetesVersion) problems.push(`AGENT_INJECT_KUBERNETES_VERSION: ${JSON.stringify(versionText)} is not a version such as "1.30"`);
  const nativeSupported = kubernetesVersion !== undefined && supportsNativeSidecars(kubernetesVersion);
  const nativeSidecar = bool('NATIVE_SIDECAR', nativeSupported);
  if (nativeSidecar && kubernetesVersion && !nativeSupported) {
    problems.push(`AGENT_INJECT_NATIVE_SIDECAR: native sidecars need Kubernetes 1.29 or later, and AGENT_INJECT_KUBERNETES_VERSION is ${versionText}`);
  }

  const tls = tlsSettings(optional, env, problems);
  const minVersion = text('TLS_MIN_VERSION', 'tls12').toLowerCase();
  if (minVersion !== 'tls12' && minVersion !== 'tls13') problems.push(`AGENT_INJECT_TLS_MIN_VERSION: ${JSON.stringify(minVersion)} is not tls12 or tls13`);

  const telemetry = text('TELEMETRY_PATH', '/metrics');
  const settings: InjectorSettings = {
    listen: listen ?? { host: '0.0.0.0', port: 8080 },
    logLevel: text('LOG_LEVEL', 'info').toLowerCase(),
    telemetryPath: telemetry === 'none' ? undefined : telemetry.startsWith('/') ? telemetry : `/${telemetry}`,
    tls,
    tlsMinVersion: minVersion === 'tls13' ? 'TLSv1.3' : 'TLSv1.2',
    agent: {
      vaultAddress: vaultAddress ?? '',
      image: image ?? '',
      authType: text('VAULT_AUTH_TYPE', 'kubernetes'),
      authPath: text('VAULT_AUTH_PATH', 'auth/kubernetes'),
      vaultNamespace: optional('VAULT_NAMESPACE'),
      runAsUser: id('RUN_AS_USER', 100),
      runAsGroup: id('RUN_AS_GROUP', 1000),
      runAsSameUser: bool('RUN_AS_SAME_USER', false),
      setSecurityContext: bool('SET_SECURITY_CONTEXT', true),
      defaultTemplate: defaultTemplate === 'json' ? 'json' : 'map',
      resources,
      exitOnRetryFailure: bool('TEMPLATE_CONFIG_EXIT_ON_RETRY_FAILURE', true),
      staticSecretRenderInterval: duration('TEMPLATE_STATIC_SECRET_RENDER_INTERVAL'),
      leaseRenewalThreshold,
      authMinBackoff: duration('AUTH_MIN_BACKOFF'),
      authMaxBackoff: duration('AUTH_MAX_BACKOFF'),
      nativeSidecar,
      kubernetesVersion,
    },
    ignored: IGNORED.filter((name) => optional(name) !== undefined).map((name) => `AGENT_INJECT_${name}`),
  };
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}

export function supportsNativeSidecars(version: [number, number]): boolean {
  return version[0] > 1 || (version[0] === 1 && version[1] >= 29);
}

function tlsSettings(
  optional: (name: string) => string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): TlsSettings {
  const auto = optional('TLS_AUTO');
  if (auto !== undefined && parseBool(auto) !== false) {
    // vault-k8s's convention: the value names the MutatingWebhookConfiguration whose caBundle is kept current.
    const hosts = (optional('TLS_AUTO_HOSTS') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
    if (hosts.length === 0) problems.push('AGENT_INJECT_TLS_AUTO_HOSTS is required with AGENT_INJECT_TLS_AUTO: the names the API server calls the webhook by (service, service.namespace, service.namespace.svc)');
    return {
      mode: 'auto',
      webhookName: auto,
      hosts,
      secretName: optional('TLS_SECRET_NAME') ?? 'coffer-agent-injector-certs',
      namespace: env['NAMESPACE']?.trim() || undefined,
    };
  }
  const certFile = optional('TLS_CERT_FILE');
  const keyFile = optional('TLS_KEY_FILE');
  if (certFile === undefined || keyFile === undefined) {
    problems.push('TLS: set AGENT_INJECT_TLS_AUTO (the MutatingWebhookConfiguration name) or both AGENT_INJECT_TLS_CERT_FILE and AGENT_INJECT_TLS_KEY_FILE');
  }
  return { mode: 'files', certFile: certFile ?? '', keyFile: keyFile ?? '' };
}

/** ":8080", "127.0.0.1:0", "[::]:8443" → host and port (no host means every interface). */
function parseListen(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}
