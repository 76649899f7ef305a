import { randomBytes } from 'node:crypto';
import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import { encryptValue } from './cipher-ops.js';
import { decodeBase64Field, decodeBase64Strict } from './go-base64.js';
import { KEY_NAME } from './key-name.js';
import { supportsAssociatedData } from './key-types.js';
import type { TransitContext } from './transit-context.js';

const invalid = (message: string) => new CofferError('invalid_request', message);

/**
 * `datakey/plaintext/<name>` and `datakey/wrapped/<name>`: a fresh random key (128, 256 or 512 bits)
 * encrypted under the named key, for envelope encryption. `plaintext` also returns the key itself;
 * `wrapped` returns only the ciphertext, for callers that must not see it yet.
 */
export function datakeyPaths(ctx: TransitContext): PathDef[] {
  return [
    definePath({
      pattern: `datakey/(?<plaintext>\\w(?:[\\w.-]*\\w)?)/${KEY_NAME}`,
      summary: 'Generate a data key encrypted under a named key.',
      fields: {
        context: { type: 'string', description: 'Base64-encoded context for key derivation' },
        associated_data: { type: 'string', description: 'Base64-encoded associated data (AEAD keys)' },
        bits: { type: 'int', default: 256, description: 'Data key size: 128, 256 or 512' },
        key_version: { type: 'int', default: 0, description: 'Key version to use; 0 for the latest' },
      },
      operations: {
        update: async (request) => {
          const kind = request.params.plaintext;
          if (kind !== 'plaintext' && kind !== 'wrapped') throw invalid("Invalid path, must be 'plaintext' or 'wrapped'");
          const fields = request.fields as { context?: string; associated_data?: string; bits: number; key_version: number };
          let context: Buffer | undefined;
          if (fields.context) {
            try {
              context = decodeBase64Strict(fields.context);
            } catch {
              throw invalid('failed to base64-decode context');
            }
          }
          const policy = await ctx.keys.read(request.params.name as string);
          if (!policy) throw invalid('encryption key not found');
          if (fields.bits !== 128 && fields.bits !== 256 && fields.bits !== 512) throw invalid('invalid bit length');
          const dataKey = randomBytes(fields.bits / 8);
          let associatedData: Buffer | undefined;
          if (fields.associated_data) {
            if (!supportsAssociatedData(policy.type)) {
              throw invalid(`'associated_data' provided for non-AEAD cipher suite ${policy.type}`);
            }
            associatedData = decodeBase64Field(fields.associated_data, 'unable to get associated_data/additional_data from factory[0]: ');
          }
          const sealed = encryptValue(policy, { plaintext: dataKey, context, associatedData, keyVersion: fields.key_version });
          return {
            data: {
              ciphertext: sealed.ciphertext,
              key_version: sealed.keyVersion,
              ...(kind === 'plaintext' ? { plaintext: dataKey.toString('base64') } : {}),
            },
          };
        },
      },
    }),
  ];
}
