import type { PodAnnotations } from './annotations.js';
import { PER_SECRET } from './secret-annotations.js';

/** Annotations the injector reads (besides the per-secret families). */
const HANDLED = new Set([
  'agent-inject',
  'agent-inject-status',
  'agent-inject-containers',
  'agent-inject-default-template',
  'agent-inject-token',
  'agent-image',
  'agent-init-first',
  'agent-pre-populate',
  'agent-pre-populate-only',
  'agent-enable-native-sidecar',
  'agent-limits-cpu',
  'agent-limits-mem',
  'agent-limits-ephemeral',
  'agent-requests-cpu',
  'agent-requests-mem',
  'agent-requests-ephemeral',
  'agent-run-as-user',
  'agent-run-as-group',
  'agent-run-as-same-user',
  'agent-set-security-context',
  'agent-share-process-namespace',
  'agent-service-account-token-volume-name',
  'agent-auto-auth-exit-on-err',
  'agent-configmap',
  'agent-request-namespace',
  'auth-type',
  'auth-path',
  'auth-min-backoff',
  'auth-max-backoff',
  'role',
  'namespace',
  'service',
  'secret-volume-path',
  'preserve-secret-case',
  'tls-skip-verify',
  'tls-secret',
  'tls-server-name',
  'ca-cert',
  'ca-key',
  'client-cert',
  'client-key',
  'client-max-retries',
  'log-level',
  'template-config-exit-on-retry-failure',
  'template-static-secret-render-interval',
  'template-lease-renewal-threshold',
]);

/** vault-k8s features the Coffer agent has no counterpart for: the pod is injected without them. */
const UNSUPPORTED = new Set([
  'agent-extra-secret',
  'agent-copy-volume-mounts',
  'agent-json-patch',
  'agent-init-json-patch',
  'agent-cache-enable',
  'agent-cache-use-auto-auth-token',
  'agent-cache-listener-port',
  'agent-cache-exit-on-err',
  'agent-enable-quit',
  'agent-revoke-on-shutdown',
  'agent-revoke-grace',
  'agent-disable-idle-connections',
  'agent-disable-keep-alives',
  'proxy-address',
  'go-max-procs',
  'client-timeout',
  'log-format',
  'template-max-connections-per-host',
]);

/**
 * Warnings (shown by kubectl) for annotations that will have no effect: vault-k8s features the
 * Coffer agent lacks, and names nobody reads (typos), which would otherwise fail silently.
 */
export function knownAnnotationWarnings(annotations: PodAnnotations): string[] {
  const warnings: string[] = [];
  for (const name of annotations.names().sort()) {
    if (HANDLED.has(name) || name.startsWith('auth-config-') || PER_SECRET.some((p) => name.startsWith(p))) continue;
    const key = annotations.keyOf(name);
    if (UNSUPPORTED.has(name) || name.startsWith('agent-telemetry-')) warnings.push(`${key} is not supported by the Coffer agent injector and was ignored`);
    else warnings.push(`${key} is not an annotation the Coffer agent injector knows; ignored`);
  }
  return warnings;
}
