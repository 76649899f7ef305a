import type { IPod } from 'kubernetes-models/v1';
import type { AdmissionRequest, AdmissionResponse } from './admission-review.js';
import { InjectionRefused, readAgentSpec } from './agent-spec.js';
import { PodAnnotations } from './annotations.js';
import { podPatch } from './pod-patch.js';
import type { AgentDefaults } from './settings.js';
import { parseBool } from './values.js';

/** Namespaces vault-k8s refuses to inject into. */
const SYSTEM_NAMESPACES = ['kube-system', 'kube-public'];

/** What one admission decided, for the response and the metrics. */
export interface MutationResult {
  response: AdmissionResponse;
  namespace: string;
  /** Undefined when nothing was injected (or the pod was refused). */
  injected: 'init_and_sidecar' | 'init_only' | 'sidecar_only' | undefined;
  refused: boolean;
}

/**
 * Decides one admission request, as vault-k8s's handler does: pods created with `agent-inject`
 * true (and not already injected, and still Pending) get the agents; pods in kube-system and
 * kube-public, and pods with invalid annotations, are refused with a message naming the problem;
 * everything else is allowed unchanged.
 */
export function mutate(request: AdmissionRequest, defaults: AgentDefaults): MutationResult {
  const namespace = request.namespace ?? (request.object as IPod | undefined)?.metadata?.namespace ?? '';
  const allow = (): MutationResult => ({ response: { uid: request.uid, allowed: true }, namespace, injected: undefined, refused: false });
  const refuse = (message: string, code = 400): MutationResult => ({
    response: { uid: request.uid, allowed: false, status: { code, message } },
    namespace,
    injected: undefined,
    refused: true,
  });

  const isPod = (request.kind?.kind ?? 'Pod') === 'Pod' && (request.resource?.resource ?? 'pods') === 'pods';
  if (!isPod || (request.operation ?? 'CREATE') !== 'CREATE') return allow();
  const pod = request.object as IPod | undefined;
  if (typeof pod !== 'object' || pod === null) return refuse('the admission request carries no pod');

  const annotations = new PodAnnotations(pod.metadata?.annotations);
  const inject = annotations.get('agent-inject');
  if (!inject) return allow();
  const wanted = parseBool(inject.value);
  if (wanted === undefined) return refuse(`${inject.key}: ${JSON.stringify(inject.value)} is not true or false`);
  if (!wanted) return allow();
  if (annotations.value('agent-inject-status')?.trim() === 'injected') return allow();
  const phase = (pod as { status?: { phase?: string } }).status?.phase;
  if (phase && phase !== 'Pending') return allow();

  if (SYSTEM_NAMESPACES.includes(namespace)) return refuse(`cannot inject the Coffer agent into the system namespace ${namespace}`, 403);
  if (namespace === '') return refuse('the admission request has no namespace');

  try {
    const { spec, warnings } = readAgentSpec(pod, annotations, defaults);
    const patch = podPatch(pod, spec);
    return {
      response: {
        uid: request.uid,
        allowed: true,
        patchType: 'JSONPatch',
        patch: Buffer.from(JSON.stringify(patch), 'utf8').toString('base64'),
        ...(warnings.length > 0 ? { warnings } : {}),
      },
      namespace,
      injected: spec.prePopulateOnly ? 'init_only' : spec.prePopulate ? 'init_and_sidecar' : 'sidecar_only',
      refused: false,
    };
  } catch (error) {
    if (error instanceof InjectionRefused) return refuse(`the Coffer agent cannot be injected: ${error.message}`);
    throw error;
  }
}
