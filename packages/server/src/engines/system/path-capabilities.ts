import { CofferError, definePath, type LogicalRequest, type PathDef } from '@coffer/sdk';
import type { RuntimeHandles } from '../../core/runtime.js';

const pathFields = { path: { type: 'strings' }, paths: { type: 'strings' } } as const;

/**
 * sys/capabilities, capabilities-self and capabilities-accessor: what a token may do on each path.
 * Vault answers with one key per path plus `capabilities` (for the single-path form).
 */
export function capabilityPaths(handles: RuntimeHandles): PathDef[] {
  const answer = async (policies: readonly string[], req: LogicalRequest<typeof pathFields>) => {
    const paths = [...(req.fields.paths ?? []), ...(req.fields.path ?? [])].filter((p) => p !== '');
    if (paths.length === 0) throw new CofferError('invalid_request', 'paths must be supplied');
    const acl = await handles.acls(policies);
    const data: Record<string, unknown> = {};
    for (const path of paths) data[path] = acl.capabilities(path.replace(/^\/+/, ''));
    data.capabilities = data[paths[0] as string];
    return { data };
  };
  return [
    definePath({
      pattern: 'capabilities',
      fields: { token: { type: 'string', required: true }, ...pathFields },
      operations: {
        update: async (req) => {
          const entry = await handles.tokens.lookup(req.fields.token as string);
          if (!entry) throw new CofferError('invalid_request', 'invalid token');
          return answer(entry.policies, req);
        },
      },
    }),
    definePath({
      pattern: 'capabilities-self',
      fields: pathFields,
      operations: {
        update: async (req) => {
          if (!req.auth) throw new CofferError('permission_denied', 'permission denied');
          return answer(req.auth.policies, req);
        },
      },
    }),
    definePath({
      pattern: 'capabilities-accessor',
      fields: { accessor: { type: 'string', required: true }, ...pathFields },
      operations: {
        update: async (req) => {
          const entry = await handles.tokens.lookupByAccessor(req.fields.accessor as string);
          if (!entry) throw new CofferError('invalid_request', 'invalid accessor');
          return answer(entry.policies, req);
        },
      },
    }),
  ];
}
