import type { IPod } from 'kubernetes-models/v1';
import { AnnotationReader } from './annotation-reader.js';
import type { PodAnnotations } from './annotations.js';
import { readAuth, type AuthSpec } from './auth-annotations.js';
import { knownAnnotationWarnings } from './known-annotations.js';
import { readSecretFiles, type SecretFile } from './secret-annotations.js';
import { findServiceAccountToken, type ServiceAccountTokenVolume } from './service-account-volume.js';
import { RESOURCE_KEYS, supportsNativeSidecars, type AgentDefaults, type ResourceKey } from './settings.js';
import { parseQuantity } from './values.js';

export const SECRET_VOLUME_PATH = '/vault/secrets';
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'warning', 'error', 'err'];

/** Everything the annotations and the injector's defaults decide about one pod's agents. */
export interface AgentSpec {
  image: string;
  vault: {
    address: string;
    caCert: string | undefined;
    caPath: string | undefined;
    clientCert: string | undefined;
    clientKey: string | undefined;
    tlsSkipVerify: boolean;
    tlsServerName: string | undefined;
    maxRetries: number | undefined;
  };
  auth: AuthSpec;
  serviceAccount: ServiceAccountTokenVolume;
  files: SecretFile[];
  secretVolumePath: string;
  /** Per-secret directories other than secretVolumePath, each its own volume. */
  extraMountPaths: string[];
  injectToken: boolean;
  /** App containers that get the secrets mounts. */
  containers: string[];
  prePopulate: boolean;
  prePopulateOnly: boolean;
  initFirst: boolean;
  nativeSidecar: boolean;
  resources: Record<ResourceKey, string>;
  /** Undefined: leave the containers' securityContext unset (agent-set-security-context false). */
  runAs: { user: number; group: number } | undefined;
  shareProcessNamespace: boolean | undefined;
  tlsSecret: string | undefined;
  templateConfig: { exitOnRetryFailure: boolean; staticSecretRenderInterval: string | undefined; leaseRenewalThreshold: number | undefined };
  logLevel: string | undefined;
}

export class InjectionRefused extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'InjectionRefused';
  }
}

/**
 * Reads the pod's annotations over the injector's defaults into an AgentSpec. Throws
 * InjectionRefused listing every invalid annotation; returns warnings for annotations that are
 * ignored (unknown, or vault-k8s features Coffer's agent does not have).
 */
export function readAgentSpec(pod: IPod, annotations: PodAnnotations, defaults: AgentDefaults): { spec: AgentSpec; warnings: string[] } {
  const r = new AnnotationReader(annotations);
  if (r.string('agent-configmap') !== undefined) {
    r.bad('agent-configmap', 'agent configuration from a ConfigMap is not supported by the Coffer injector; use the agent-inject-* annotations');
  }
  const containerNames = (pod.spec?.containers ?? []).map((c) => c.name);
  const secretVolumePath = r.absolutePath('secret-volume-path', SECRET_VOLUME_PATH);
  const defaultTemplate = (r.string('agent-inject-default-template') ?? defaults.defaultTemplate).trim().toLowerCase();
  if (defaultTemplate !== 'map' && defaultTemplate !== 'json') r.bad('agent-inject-default-template', `${JSON.stringify(defaultTemplate)} is not map or json`);
  const files = readSecretFiles(r, secretVolumePath, defaultTemplate === 'json' ? 'json' : 'map');

  const found = findServiceAccountToken(pod, r.string('agent-service-account-token-volume-name'));
  if (typeof found === 'string') {
    if (r.annotations.has('agent-service-account-token-volume-name')) r.bad('agent-service-account-token-volume-name', found);
    else r.problems.push(`no service-account token for the agent to log in with: ${found}`);
  }
  const serviceAccount = typeof found === 'string' ? { volumeName: '', mountPath: '', tokenPath: '' } : found;
  const auth = readAuth(r, defaults, serviceAccount.tokenPath);

  const address = r.string('service') ?? defaults.vaultAddress;
  if (!/^https?:\/\/[^/]/.test(address.trim())) r.bad('service', `${JSON.stringify(address)} is not an http:// or https:// URL`);

  const requested = r.string('agent-inject-containers');
  const containers = requested === undefined ? containerNames : requested.split(',').map((c) => c.trim()).filter(Boolean);
  const unknown = containers.filter((c) => !containerNames.includes(c));
  if (unknown.length > 0) r.warnings.push(`${annotations.keyOf('agent-inject-containers')}: the pod has no container named ${unknown.join(', ')}`);

  const prePopulateOnly = r.bool('agent-pre-populate-only', false);
  const prePopulate = prePopulateOnly || r.bool('agent-pre-populate', true);
  const nativeSidecar = readNativeSidecar(r, defaults);

  const resources = {} as Record<ResourceKey, string>;
  for (const key of RESOURCE_KEYS) resources[key] = r.quantity(`agent-${key}`, defaults.resources[key]);
  checkRequestsWithinLimits(r, resources);

  const runAs = readRunAs(r, pod, defaults);
  const share = r.optionalBool('agent-share-process-namespace');
  if (share === true && pod.spec?.shareProcessNamespace === false) {
    r.bad('agent-share-process-namespace', 'the pod sets shareProcessNamespace to false explicitly');
  }

  const threshold = r.string('template-lease-renewal-threshold');
  let leaseRenewalThreshold = defaults.leaseRenewalThreshold;
  if (threshold !== undefined) {
    leaseRenewalThreshold = Number(threshold);
    if (!(leaseRenewalThreshold > 0 && leaseRenewalThreshold < 1)) r.bad('template-lease-renewal-threshold', `${JSON.stringify(threshold)} is not a number between 0 and 1`);
  }
  const retries = r.string('client-max-retries');
  const maxRetries = retries === undefined ? undefined : Number(retries);
  if (maxRetries !== undefined && !(Number.isInteger(maxRetries) && maxRetries >= 0)) r.bad('client-max-retries', `${JSON.stringify(retries)} is not a whole number`);
  const logLevel = r.string('log-level')?.trim().toLowerCase();
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) r.bad('log-level', `${JSON.stringify(logLevel)} is not trace, debug, info, warn or error`);
  const image = r.string('agent-image')?.trim() ?? defaults.image;

  if (r.problems.length > 0) throw new InjectionRefused(r.problems);
  const spec: AgentSpec = {
    image,
    vault: {
      address: address.trim().replace(/\/+$/, ''),
      caCert: r.string('ca-cert')?.trim(),
      caPath: r.string('ca-key')?.trim(),
      clientCert: r.string('client-cert')?.trim(),
      clientKey: r.string('client-key')?.trim(),
      tlsSkipVerify: r.bool('tls-skip-verify', false),
      tlsServerName: r.string('tls-server-name')?.trim(),
      maxRetries,
    },
    auth,
    serviceAccount,
    files,
    secretVolumePath,
    extraMountPaths: [...new Set(files.map((f) => f.mountPath))].filter((p) => p !== secretVolumePath),
    injectToken: r.bool('agent-inject-token', false),
    containers,
    prePopulate,
    prePopulateOnly,
    initFirst: r.bool('agent-init-first', false),
    nativeSidecar,
    resources,
    runAs,
    shareProcessNamespace: share,
    tlsSecret: r.string('tls-secret')?.trim(),
    templateConfig: {
      exitOnRetryFailure: r.bool('template-config-exit-on-retry-failure', defaults.exitOnRetryFailure),
      staticSecretRenderInterval: r.duration('template-static-secret-render-interval', defaults.staticSecretRenderInterval),
      leaseRenewalThreshold,
    },
    logLevel: logLevel === 'warning' ? 'warn' : logLevel === 'err' ? 'error' : logLevel,
  };
  if (r.problems.length > 0) throw new InjectionRefused(r.problems);
  return { spec, warnings: [...r.warnings, ...knownAnnotationWarnings(annotations)] };
}

/** The per-pod annotation over the injector's default; refused on a cluster known to be too old. */
function readNativeSidecar(r: AnnotationReader, defaults: AgentDefaults): boolean {
  const wanted = r.optionalBool('agent-enable-native-sidecar');
  if (wanted === true && defaults.kubernetesVersion && !supportsNativeSidecars(defaults.kubernetesVersion)) {
    r.bad('agent-enable-native-sidecar', `native sidecars need Kubernetes 1.29 or later; the injector is configured for ${defaults.kubernetesVersion.join('.')}`);
  }
  return wanted ?? defaults.nativeSidecar;
}

/** The API server refuses a request above its limit; say so here, naming the annotations. */
function checkRequestsWithinLimits(r: AnnotationReader, resources: Record<ResourceKey, string>): void {
  for (const kind of ['cpu', 'mem', 'ephemeral']) {
    const request = resources[`requests-${kind}` as ResourceKey];
    const limit = resources[`limits-${kind}` as ResourceKey];
    if (request === '' || limit === '') continue;
    const [req, lim] = [parseQuantity(request), parseQuantity(limit)];
    if (req !== undefined && lim !== undefined && req > lim) {
      r.problems.push(`${r.annotations.keyOf(`agent-requests-${kind}`)} (${request}) is more than ${r.annotations.keyOf(`agent-limits-${kind}`)} (${limit})`);
    }
  }
}

function readRunAs(r: AnnotationReader, pod: IPod, defaults: AgentDefaults): AgentSpec['runAs'] {
  const explicit = ['agent-run-as-user', 'agent-run-as-group', 'agent-run-as-same-user'].some((n) => r.string(n) !== undefined);
  // As vault-k8s: asking for a user turns the security context on even where the injector's default is off.
  const set = r.bool('agent-set-security-context', defaults.setSecurityContext || explicit);
  let user = r.id('agent-run-as-user', defaults.runAsUser);
  const group = r.id('agent-run-as-group', defaults.runAsGroup);
  if (r.bool('agent-run-as-same-user', defaults.runAsSameUser)) {
    const first = pod.spec?.containers?.[0]?.securityContext?.runAsUser;
    if (first === undefined) r.bad('agent-run-as-same-user', 'the first container has no securityContext.runAsUser to copy');
    else if (first === 0) r.bad('agent-run-as-same-user', 'the first container runs as root; the agent will not');
    else user = first;
  }
  return set ? { user, group } : undefined;
}
