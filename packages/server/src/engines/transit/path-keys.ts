import { CofferError, definePath, type LogicalRequest, type LogicalResponse, type PathDef } from '@coffer/sdk';
import { decodeBase64Strict } from './go-base64.js';
import { newKeyPolicy } from './key-factory.js';
import { keyJson } from './key-json.js';
import { KEY_NAME } from './key-name.js';
import { HMAC_MAX_KEY_BYTES, HMAC_MIN_KEY_BYTES, isKeyType } from './key-types.js';
import type { TransitContext } from './transit-context.js';

const invalid = (message: string) => new CofferError('invalid_request', message);
const HOUR = 3600;

/** `keys/` (list) and `keys/<name>` (create, read, delete). */
export function keysPaths(ctx: TransitContext): PathDef[] {
  return [
    definePath({
      pattern: 'keys/?',
      summary: 'List the named keys.',
      operations: {
        list: async () => {
          const keys = await ctx.keys.list();
          return keys.length ? { data: { keys } } : undefined;
        },
      },
    }),
    definePath({
      pattern: `keys/${KEY_NAME}`,
      summary: 'Create, read or delete a named key.',
      fields: {
        type: { type: 'string', default: 'aes256-gcm96', description: 'Key type' },
        derived: { type: 'bool', default: false, description: 'Derive a key per request context (HKDF)' },
        convergent_encryption: { type: 'bool', default: false, description: 'Deterministic encryption (derived keys)' },
        exportable: { type: 'bool', default: false, description: 'Allow exporting the key material' },
        allow_plaintext_backup: { type: 'bool', default: false, description: 'Allow plaintext backups' },
        context: { type: 'string', description: 'Read: base64 context, to show a derived Ed25519 public key' },
        auto_rotate_period: { type: 'duration', default: 0, description: 'Rotate automatically this often (>= 1h)' },
        key_size: { type: 'int', default: 0, description: 'HMAC keys only: key bytes (32 to 512)' },
      },
      operations: {
        update: (request) => createKey(ctx, request),
        read: async (request) => {
          const policy = await ctx.keys.read(request.params.name as string);
          if (!policy) return undefined;
          const encoded = request.fields.context as string | undefined;
          let context: Buffer | undefined;
          if (encoded) {
            try {
              context = decodeBase64Strict(encoded);
            } catch {
              throw invalid('failed to base64-decode context');
            }
          }
          return { data: keyJson(policy, context) };
        },
        delete: async (request) => {
          const name = request.params.name as string;
          await ctx.keys.remove(name, (current) => {
            if (!current) throw invalid(`error deleting policy ${name}: could not delete key; not found`);
            if (!current.deletionAllowed) throw invalid(`error deleting policy ${name}: deletion is not allowed for this key`);
          });
          return undefined;
        },
      },
    }),
  ];
}

/** Vault's pathPolicyWrite: creates the key if it does not exist; an existing key is left as it is. */
async function createKey(ctx: TransitContext, request: LogicalRequest): Promise<LogicalResponse> {
  const name = request.params.name as string;
  const fields = request.fields as {
    type: string;
    derived: boolean;
    convergent_encryption: boolean;
    exportable: boolean;
    allow_plaintext_backup: boolean;
    auto_rotate_period: number;
    key_size: number;
  };
  const autoRotatePeriod = fields.auto_rotate_period;
  if (autoRotatePeriod !== 0 && autoRotatePeriod < HOUR) {
    throw invalid('auto rotate period must be 0 to disable or at least an hour');
  }
  if (!fields.derived && fields.convergent_encryption) {
    throw invalid('convergent encryption requires derivation to be enabled');
  }
  const type = fields.type;
  if (!isKeyType(type)) throw invalid(`unknown key type ${type}`);
  const keySize = fields.key_size;
  if (keySize !== 0) {
    if (type !== 'hmac') throw invalid(`key_size is not valid for algorithm ${type}`);
    if (keySize < HMAC_MIN_KEY_BYTES || keySize > HMAC_MAX_KEY_BYTES) throw invalid(`invalid key_size ${keySize}`);
  }
  const { policy, changed } = await ctx.keys.update(name, async (current) =>
    current
      ? undefined
      : newKeyPolicy({
          name,
          type,
          derived: fields.derived,
          convergent: fields.convergent_encryption,
          exportable: fields.exportable,
          allowPlaintextBackup: fields.allow_plaintext_backup,
          autoRotatePeriod,
          ...(keySize !== 0 ? { keySize } : {}),
          nowMs: ctx.now(),
        }),
  );
  if (!policy) throw new CofferError('internal', 'internal error', { cause: new Error('error generating key: returned policy was nil') });
  return { data: keyJson(policy), ...(changed ? {} : { warnings: [`key ${name} already existed`] }) };
}
