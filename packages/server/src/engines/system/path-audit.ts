import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import type { AuditDeviceSpec } from '../../core/audit/audit-manager.js';
import type { RuntimeHandles } from '../../core/runtime.js';

const deviceJson = (spec: AuditDeviceSpec) => ({
  type: spec.type,
  description: spec.description,
  options: Object.fromEntries(Object.entries(spec.options).map(([k, v]) => [k, String(v)])),
  path: spec.path,
  local: spec.local,
  // Coffer's addition: whether the device came from the config file or from sys/audit.
  source: spec.source,
});

/**
 * sys/audit (sudo): list, enable, disable devices; sys/audit-hash/<path>: the HMAC an entry would
 * show for a value, so operators can search the log; sys/audit-chain/key (sudo): the key that
 * MACs file sinks' checkpoints, for `coffer audit verify`.
 */
export function auditPaths(handles: RuntimeHandles): PathDef[] {
  const normalise = (path: string) => (path.endsWith('/') ? path : `${path}/`);
  return [
    definePath({
      pattern: 'audit',
      operations: {
        read: async () => ({ data: Object.fromEntries(handles.audit.list().map((spec) => [spec.path, deviceJson(spec)])) }),
      },
    }),
    definePath({
      pattern: 'audit/(?<path>.+)',
      fields: {
        path: { type: 'string', required: true },
        type: { type: 'string' },
        description: { type: 'string' },
        options: { type: 'map' },
        local: { type: 'bool' },
      },
      operations: {
        update: async (req) => {
          const f = req.fields;
          if (!f.type) throw new CofferError('invalid_request', 'missing audit device type');
          const options = { ...(f.options ?? {}) };
          const skipTest = options.skip_test === true || options.skip_test === 'true';
          delete options.skip_test;
          await handles.audit.enable(
            { path: normalise(f.path as string), type: f.type, description: f.description ?? '', options, local: f.local ?? false },
            skipTest,
          );
          return undefined;
        },
        delete: async (req) => {
          await handles.audit.disable(normalise(req.fields.path as string));
          return undefined;
        },
      },
    }),
    definePath({
      pattern: 'audit-hash/(?<path>.+)',
      fields: { path: { type: 'string', required: true }, input: { type: 'string', required: true } },
      operations: {
        update: async (req) => ({ data: { hash: handles.audit.hash(normalise(req.fields.path as string), req.fields.input as string) } }),
      },
    }),
    definePath({
      pattern: 'audit-chain/key',
      operations: { read: async () => ({ data: { key: handles.audit.chainKey().toString('base64') } }) },
    }),
  ];
}
