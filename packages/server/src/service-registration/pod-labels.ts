import type { NodeRole } from '../core/core.js';

/** What the labels describe: the node's role and whether its storage is initialised. */
export interface NodeState {
  role: NodeRole;
  initialized: boolean;
}

export type PodLabels = Record<string, string>;

/** One RFC 6902 operation, as the API server takes it with `application/json-patch+json`. */
export interface JsonPatchOp {
  op: 'add';
  path: string;
  value: unknown;
}

/**
 * The labels Vault's Kubernetes service registration sets (Services, the Helm chart's among them,
 * select on `vault-active`), and the same under Coffer's own prefix. Coffer has no performance
 * standbys, so `*-perf-standby` is always "false".
 */
export function labelsFor(state: NodeState, versions: { vault: string; coffer: string }): PodLabels {
  const values = {
    active: String(state.role === 'active'),
    sealed: String(state.role === 'sealed'),
    initialized: String(state.initialized),
    'perf-standby': 'false',
  };
  const labels: PodLabels = {};
  for (const prefix of ['vault', 'coffer'] as const) {
    for (const [name, value] of Object.entries(values)) labels[`${prefix}-${name}`] = value;
    labels[`${prefix}-version`] = labelValue(versions[prefix]);
  }
  return labels;
}

/**
 * A JSON patch that makes the pod carry `wanted`, touching only labels whose value differs from
 * `current`. `add` rather than Vault's `replace`: on an object member `add` sets the value whether
 * or not the key exists, while `replace` of a missing label is refused by strict JSON-patch
 * implementations. A pod with no labels at all gets the whole map in one operation, since a path
 * under `/metadata/labels` cannot be added before the map exists.
 */
export function labelPatch(current: PodLabels | undefined, wanted: PodLabels): JsonPatchOp[] {
  if (current === undefined) return [{ op: 'add', path: '/metadata/labels', value: { ...wanted } }];
  return Object.entries(wanted)
    .filter(([key, value]) => current[key] !== value)
    .map(([key, value]) => ({ op: 'add', path: `/metadata/labels/${escapePointer(key)}`, value }));
}

/** RFC 6901: `~` and `/` in a key (`app.kubernetes.io/name`) are escaped in a JSON pointer. */
function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * A label value Kubernetes accepts (at most 63 of [A-Za-z0-9-_.], alphanumeric at both ends):
 * `1.19.0+coffer.0.1.0` would be refused for its `+`, so semver build metadata is dropped.
 */
export function labelValue(version: string): string {
  const cleaned = version.split('+')[0]?.replace(/[^A-Za-z0-9._-]/g, '-') ?? '';
  return cleaned.slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}
