import type { IContainer, IVolume, IVolumeMount } from 'kubernetes-models/v1';
import { AGENT_HOME, AGENT_SCRIPT, agentConfig, encodeAgentConfig } from './agent-config.js';
import type { AgentSpec } from './agent-spec.js';
import type { ResourceKey } from './settings.js';

export const INIT_CONTAINER = 'vault-agent-init';
export const SIDECAR_CONTAINER = 'vault-agent';
export const SECRETS_VOLUME = 'vault-secrets';
const HOME_INIT = 'home-init';
const HOME_SIDECAR = 'home-sidecar';
const TLS_VOLUME = 'vault-tls-secrets';
const TLS_PATH = '/vault/tls';

const memory = (name: string): IVolume => ({ name, emptyDir: { medium: 'Memory' } });

/** The volumes the injection adds: the agents' homes, then the secrets volume(s), then the TLS Secret. */
export function agentVolumes(spec: AgentSpec): IVolume[] {
  const volumes: IVolume[] = [];
  if (spec.prePopulate) volumes.push(memory(HOME_INIT));
  if (!spec.prePopulateOnly) volumes.push(memory(HOME_SIDECAR));
  volumes.push(memory(SECRETS_VOLUME));
  spec.extraMountPaths.forEach((_, i) => volumes.push(memory(`${SECRETS_VOLUME}-custom-${i}`)));
  if (spec.tlsSecret) volumes.push({ name: TLS_VOLUME, secret: { secretName: spec.tlsSecret } });
  return volumes;
}

/** The secrets mounts every targeted container (and the agents) get. */
export function secretMounts(spec: AgentSpec): IVolumeMount[] {
  return [
    { name: SECRETS_VOLUME, mountPath: spec.secretVolumePath },
    ...spec.extraMountPaths.map((mountPath, i) => ({ name: `${SECRETS_VOLUME}-custom-${i}`, mountPath })),
  ];
}

/**
 * One agent container: `vault-agent-init` (exit_after_auth) or `vault-agent`. It runs the Coffer
 * image's `coffer agent` on the config carried base64-encoded in VAULT_CONFIG (vault-k8s's
 * contract), reads the pod's service-account token read-only, and writes into the secrets volume.
 */
export function agentContainer(spec: AgentSpec, kind: 'init' | 'sidecar'): IContainer {
  const init = kind === 'init';
  const mounts: IVolumeMount[] = [
    { name: init ? HOME_INIT : HOME_SIDECAR, mountPath: AGENT_HOME },
    { name: spec.serviceAccount.volumeName, mountPath: spec.serviceAccount.mountPath, readOnly: true },
    ...secretMounts(spec),
  ];
  if (spec.tlsSecret) mounts.push({ name: TLS_VOLUME, mountPath: TLS_PATH, readOnly: true });
  const container: IContainer = {
    name: init ? INIT_CONTAINER : SIDECAR_CONTAINER,
    image: spec.image,
    command: ['/bin/sh', '-ec'],
    args: [AGENT_SCRIPT],
    env: [
      { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'VAULT_CONFIG', value: encodeAgentConfig(agentConfig(spec, init)) },
    ],
    resources: resources(spec.resources),
    volumeMounts: mounts,
  };
  if (spec.runAs) {
    container.securityContext = {
      runAsUser: spec.runAs.user,
      runAsGroup: spec.runAs.group,
      runAsNonRoot: spec.runAs.user !== 0 && spec.runAs.group !== 0,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      // With the settings above this meets the "restricted" Pod Security Standard.
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }
  if (!init && spec.nativeSidecar) container.restartPolicy = 'Always';
  return container;
}

function resources(values: Record<ResourceKey, string>): NonNullable<IContainer['resources']> {
  const pick = (kind: 'requests' | 'limits') => {
    const out: Record<string, string> = {};
    if (values[`${kind}-cpu`]) out['cpu'] = values[`${kind}-cpu`];
    if (values[`${kind}-mem`]) out['memory'] = values[`${kind}-mem`];
    if (values[`${kind}-ephemeral`]) out['ephemeral-storage'] = values[`${kind}-ephemeral`];
    return out;
  };
  const requests = pick('requests');
  const limits = pick('limits');
  return { ...(Object.keys(requests).length ? { requests } : {}), ...(Object.keys(limits).length ? { limits } : {}) };
}
