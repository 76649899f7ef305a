import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import { PasswordPolicyStore } from '../../core/password-policy/password-policy-store.js';
import type { RuntimeHandles } from '../../core/runtime.js';

const NAME = '(?<name>[^/]+)';

/**
 * sys/policies/password: Vault's password policies (HCL `length` + `rule "charset"` blocks),
 * read, written, deleted, listed, and used to generate a password. Engines that create
 * credentials (database) draw from the same store.
 */
export function passwordPolicyPaths(handles: RuntimeHandles): PathDef[] {
  const store = new PasswordPolicyStore(handles.barrier);
  const nameField = { name: { type: 'string', required: true } } as const;
  const mustExist = (text: string | undefined): string => {
    if (text === undefined) throw new CofferError('not_found', 'policy does not exist');
    return text;
  };
  return [
    definePath({
      pattern: 'policies/password/?',
      summary: 'List the password policies.',
      operations: {
        list: async () => {
          const keys = await store.list();
          return keys.length === 0 ? undefined : { data: { keys } };
        },
      },
    }),
    definePath({
      pattern: `policies/password/${NAME}/generate`,
      fields: nameField,
      summary: 'Generate a password from the policy.',
      operations: {
        read: async (req) => {
          const name = req.fields.name as string;
          mustExist(await store.read(name));
          return { data: { password: await store.generate(name) } };
        },
      },
    }),
    definePath({
      pattern: `policies/password/${NAME}`,
      fields: { ...nameField, policy: { type: 'string' } },
      summary: 'Read, write or delete a password policy.',
      operations: {
        read: async (req) => ({ data: { policy: mustExist(await store.read(req.fields.name as string)) } }),
        update: async (req) => {
          const raw = req.fields.policy;
          if (raw === undefined || raw === '') throw new CofferError('invalid_request', 'missing policy');
          await store.write(req.fields.name as string, decodeIfBase64(raw));
          return undefined;
        },
        delete: async (req) => {
          await store.delete(req.fields.name as string);
          return undefined;
        },
      },
    }),
  ];
}

/** Vault decodes the policy when it is valid base64; HCL never is (spaces, quotes, braces, `=`). */
function decodeIfBase64(raw: string): string {
  const trimmed = raw.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) return raw;
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
  return decoded.isWellFormed() && !decoded.includes('\uFFFD') ? decoded : raw;
}
