import type { IContainer, IPod } from 'kubernetes-models/v1';
import { agentContainer, agentVolumes, secretMounts } from './agent-containers.js';
import type { AgentSpec } from './agent-spec.js';
import { STATUS_ANNOTATION } from './annotations.js';

/** An RFC 6902 operation; the injector only adds (and replaces through add). */
export interface PatchOperation {
  op: 'add';
  path: string;
  value: unknown;
}

/**
 * The JSON patch that injects the agents, in vault-k8s's order: volumes, the secrets mounts of
 * the targeted app containers, the init container (and with pre-populate the mounts of the
 * other init containers), the sidecar, then the status annotation. An empty array is created
 * whole; otherwise items are appended with `/-`, so patches of other webhooks compose.
 */
export function podPatch(pod: IPod, spec: AgentSpec): PatchOperation[] {
  const ops: PatchOperation[] = [];
  appendAll(ops, '/spec/volumes', pod.spec?.volumes?.length ?? 0, agentVolumes(spec));

  const mounts = secretMounts(spec);
  (pod.spec?.containers ?? []).forEach((container, i) => {
    if (spec.containers.includes(container.name)) appendAll(ops, `/spec/containers/${i}/volumeMounts`, container.volumeMounts?.length ?? 0, mounts);
  });

  // Native sidecars are init containers (restartPolicy Always) that start after the init agent has rendered.
  const agentInits: IContainer[] = [];
  if (spec.prePopulate) agentInits.push(agentContainer(spec, 'init'));
  const sidecar = spec.prePopulateOnly ? undefined : agentContainer(spec, 'sidecar');
  if (sidecar && spec.nativeSidecar) agentInits.push(sidecar);

  const existing = pod.spec?.initContainers ?? [];
  if (spec.initFirst && existing.length > 0 && agentInits.length > 0) {
    // The agents must run before the pod's own init containers (a service mesh's, for one): rewrite the list.
    const others = existing.map((c) => (spec.prePopulate ? { ...c, volumeMounts: [...(c.volumeMounts ?? []), ...mounts] } : c));
    ops.push({ op: 'add', path: '/spec/initContainers', value: [...agentInits, ...others] });
  } else {
    if (spec.prePopulate) {
      existing.forEach((c, i) => appendAll(ops, `/spec/initContainers/${i}/volumeMounts`, c.volumeMounts?.length ?? 0, mounts));
    }
    appendAll(ops, '/spec/initContainers', existing.length, agentInits);
  }
  if (sidecar && !spec.nativeSidecar) appendAll(ops, '/spec/containers', pod.spec?.containers?.length ?? 0, [sidecar]);
  if (spec.shareProcessNamespace !== undefined) ops.push({ op: 'add', path: '/spec/shareProcessNamespace', value: spec.shareProcessNamespace });

  if (pod.metadata?.annotations && Object.keys(pod.metadata.annotations).length > 0) {
    ops.push({ op: 'add', path: `/metadata/annotations/${escapePointer(STATUS_ANNOTATION)}`, value: 'injected' });
  } else {
    ops.push({ op: 'add', path: '/metadata/annotations', value: { [STATUS_ANNOTATION]: 'injected' } });
  }
  return ops;
}

function appendAll(ops: PatchOperation[], path: string, existing: number, items: unknown[]): void {
  if (items.length === 0) return;
  if (existing === 0) {
    ops.push({ op: 'add', path, value: items });
    return;
  }
  for (const item of items) ops.push({ op: 'add', path: `${path}/-`, value: item });
}

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
export function escapePointer(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}
