import { definePath, type Engine } from '@coffer/sdk';
import type { RuntimeHandles } from '../../core/runtime.js';
import { internalUiPaths } from './path-internal-ui.js';
import { auditPaths } from './path-audit.js';
import { capabilityPaths } from './path-capabilities.js';
import { keyPaths } from './path-keys.js';
import { leasePaths } from './path-leases.js';
import { passwordPolicyPaths } from './path-password-policies.js';
import { metricsPaths } from './path-metrics.js';
import { policyPaths } from './path-policies.js';
import { wrappingPaths } from './path-wrapping.js';
import { mountTablePaths } from './path-mounts.js';

/**
 * The `sys/` backend: the operator's API. Status endpoints that must work while sealed (init,
 * unseal, seal-status, health, leader) are served by the HTTP layer directly; everything here runs
 * only while unsealed and passes through the same token, ACL and audit pipeline as any engine.
 */
export function createSystemEngine(handles: RuntimeHandles, now: () => Date): Engine {
  return {
    type: 'system',
    unauthenticatedPaths: ['internal/ui/mounts', 'internal/ui/mounts/*', 'wrapping/lookup'],
    sudoPaths: [
      'auth/*',
      'rotate',
      'rotate/*',
      'seal',
      'step-down',
      'audit',
      'audit/*',
      'audit-chain/*',
      'leases/lookup/*',
      'leases/revoke-prefix/*',
      'leases/revoke-force/*',
      'revoke-prefix/*',
      'revoke-force/*',
    ],
    paths: [
      ...mountTablePaths(handles, 'mounts', 'mounts'),
      ...mountTablePaths(handles, 'auth', 'auth'),
      ...keyPaths(handles, now),
      ...internalUiPaths(handles),
      ...leasePaths(handles),
      ...capabilityPaths(handles),
      ...policyPaths(handles),
      ...passwordPolicyPaths(handles),
      ...auditPaths(handles),
      ...metricsPaths(handles),
      ...wrappingPaths(handles),
      definePath({
        pattern: 'step-down',
        summary: 'Hands leadership to a standby (HA).',
        operations: {
          update: async () => {
            await handles.stepDown();
            return undefined;
          },
        },
      }),
      definePath({
        pattern: 'seal',
        summary: 'Seals this node.',
        operations: {
          update: async () => {
            await handles.seal();
            return undefined;
          },
        },
      }),
    ],
  };
}
