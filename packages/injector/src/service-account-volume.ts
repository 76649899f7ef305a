import { posix } from 'node:path';
import type { IPod } from 'kubernetes-models/v1';

/** Where a projected token volume is mounted in the agent when no app container mounts it (vault-k8s's path). */
export const DEFAULT_SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/vault.hashicorp.com/serviceaccount';

/** The pod's service-account token as the agent will read it. */
export interface ServiceAccountTokenVolume {
  volumeName: string;
  mountPath: string;
  /** `<mountPath>/<file>`: the kubernetes auth method's token_path. */
  tokenPath: string;
}

/**
 * Finds the service-account token the agents log in with, as vault-k8s does. With a volume name
 * (`agent-service-account-token-volume-name`, a projected token volume, vault-k8s#78): the file
 * its serviceAccountToken source names, mounted where an app container mounts it, else at
 * DEFAULT_SERVICE_ACCOUNT_MOUNT. Without: the first app container mount whose path contains
 * `serviceaccount` (the API server's automatic token mount), file `token`. Returns a reason when
 * there is none, for the refusal message.
 */
export function findServiceAccountToken(pod: IPod, volumeName: string | undefined): ServiceAccountTokenVolume | string {
  const containers = pod.spec?.containers ?? [];
  if (volumeName !== undefined && volumeName !== '') {
    const volume = (pod.spec?.volumes ?? []).find((v) => v.name === volumeName);
    if (!volume) return `the pod has no volume named ${JSON.stringify(volumeName)}`;
    const file = volume.projected?.sources?.find((s) => s.serviceAccountToken?.path)?.serviceAccountToken?.path;
    if (!file) return `volume ${JSON.stringify(volumeName)} is not a projected volume with a serviceAccountToken source`;
    const mount = containers.flatMap((c) => c.volumeMounts ?? []).find((m) => m.name === volumeName);
    const mountPath = mount?.mountPath ?? DEFAULT_SERVICE_ACCOUNT_MOUNT;
    return { volumeName, mountPath, tokenPath: posix.join(mountPath, file) };
  }
  for (const container of containers) {
    for (const mount of container.volumeMounts ?? []) {
      if (mount.mountPath.includes('serviceaccount')) {
        return { volumeName: mount.name, mountPath: mount.mountPath, tokenPath: posix.join(mount.mountPath, 'token') };
      }
    }
  }
  return 'no container mounts a service-account token (is automountServiceAccountToken false?); mount one, or name a projected token volume';
}
