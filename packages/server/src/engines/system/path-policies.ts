import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import type { RuntimeHandles } from '../../core/runtime.js';

/**
 * sys/policies/acl (current) and sys/policy (legacy) — the same store, Vault's two shapes.
 * The `policy` text may be base64-encoded to avoid escaping, as Vault accepts.
 */
export function policyPaths(handles: RuntimeHandles): PathDef[] {
  const { policies } = handles;
  const text = (raw: string | undefined) => {
    if (raw === undefined || raw.trim() === '') throw new CofferError('invalid_request', "'policy' parameter not supplied or empty");
    return decodeIfBase64(raw);
  };
  const read = async (name: string) => {
    const found = await policies.read(name);
    return found;
  };
  const nameField = { name: { type: 'string', required: true } } as const;
  return [
    definePath({
      pattern: 'policies/acl/?',
      operations: { list: async () => ({ data: { keys: await policies.list() } }) },
    }),
    definePath({
      pattern: 'policies/acl/(?<name>.+)',
      fields: { ...nameField, policy: { type: 'string' } },
      operations: {
        read: async (req) => {
          const found = await read(req.fields.name as string);
          return found && { data: { name: found.name, policy: found.text } };
        },
        update: async (req) => {
          await policies.set(req.fields.name as string, text(req.fields.policy));
          return undefined;
        },
        delete: async (req) => {
          await policies.delete(req.fields.name as string);
          return undefined;
        },
      },
    }),
    definePath({
      pattern: 'policy/?',
      operations: {
        read: async () => {
          const names = await policies.list();
          return { data: { policies: names, keys: names } };
        },
        list: async () => ({ data: { keys: await policies.list() } }),
      },
    }),
    definePath({
      pattern: 'policy/(?<name>.+)',
      fields: { ...nameField, policy: { type: 'string' }, rules: { type: 'string' } },
      operations: {
        read: async (req) => {
          const found = await read(req.fields.name as string);
          return found && { data: { name: found.name, rules: found.text } };
        },
        update: async (req) => {
          await policies.set(req.fields.name as string, text(req.fields.policy ?? req.fields.rules));
          return undefined;
        },
        delete: async (req) => {
          await policies.delete(req.fields.name as string);
          return undefined;
        },
      },
    }),
  ];
}

/** Vault decodes the policy when it is valid base64; plain HCL never is (spaces, quotes, braces). */
function decodeIfBase64(raw: string): string {
  const trimmed = raw.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) return raw;
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
  return decoded.isWellFormed() && !decoded.includes('\uFFFD') ? decoded : raw;
}
