import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import type { RuntimeHandles } from '../../core/runtime.js';
import { mountJson } from './mount-json.js';

/**
 * sys/internal/ui/mounts: what the CLI uses to tell KV v1 from v2. The listing shows mounts marked
 * `listing_visibility = "unauth"`; the per-path form needs a valid token, as in Vault.
 */
export function internalUiPaths(handles: RuntimeHandles): PathDef[] {
  return [
    definePath({
      pattern: 'internal/ui/mounts',
      operations: {
        read: async (req) => {
          const visible = (table: 'mounts' | 'auth') =>
            Object.fromEntries(
              handles.mounts
                .list(table)
                .filter((e) => req.auth !== undefined || e.config.listing_visibility === 'unauth')
                .map((e) => [e.path, mountJson(e)]),
            );
          return { data: { secret: visible('mounts'), auth: visible('auth') } };
        },
      },
    }),
    definePath({
      pattern: 'internal/ui/mounts/(?<path>.+)',
      fields: { path: { type: 'string', required: true } },
      operations: {
        read: async (req) => {
          if (!req.auth) throw new CofferError('permission_denied', 'permission denied');
          const path = req.fields.path as string;
          const route = handles.mounts.route(path.endsWith('/') ? path : `${path}/`);
          if (!route) {
            // 403, not 404, so the endpoint cannot be used to discover which mounts exist (as Vault).
            throw new CofferError(
              'permission_denied',
              `preflight capability check returned 403, please ensure client's policies grant access to path "${path.endsWith('/') ? path : `${path}/`}"`,
            );
          }
          return {
            data: { ...mountJson(route.entry), path: route.mountPoint },
          };
        },
      },
    }),
  ];
}
