import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import { rotatedPolicy } from './key-factory.js';
import { keyJson } from './key-json.js';
import { KEY_NAME } from './key-name.js';
import type { KeyPolicy } from './key-policy.js';
import type { TransitContext } from './transit-context.js';

const invalid = (message: string) => new CofferError('invalid_request', message);

/**
 * `keys/<name>/rotate` adds a version that becomes the latest; `keys/<name>/trim` deletes versions
 * below `min_available_version` for good. Both hold the key's writer lock, so concurrent rotations
 * number versions without gaps and never lose one another's version.
 */
export function rotateTrimPaths(ctx: TransitContext): PathDef[] {
  return [
    definePath({
      pattern: `keys/${KEY_NAME}/rotate`,
      summary: 'Rotate a named key.',
      operations: {
        update: async (request) => {
          const { policy } = await ctx.keys.update(request.params.name as string, (current) => {
            if (!current) throw invalid('key not found');
            return rotatedPolicy(current, ctx.now());
          });
          return { data: keyJson(policy as KeyPolicy) };
        },
      },
    }),
    definePath({
      pattern: `keys/${KEY_NAME}/trim`,
      summary: 'Permanently delete the versions of a named key below a minimum.',
      fields: { min_available_version: { type: 'int', description: 'Versions below it are deleted' } },
      operations: {
        update: async (request) => {
          const wanted = request.fields.min_available_version as number | undefined;
          const { policy } = await ctx.keys.update(request.params.name as string, (current) => {
            if (!current) throw invalid('invalid key name');
            if (wanted === undefined) throw invalid('missing min_available_version');
            return trimmed(current, wanted);
          });
          return { data: keyJson(policy as KeyPolicy) };
        },
      },
    }),
  ];
}

/** Vault's checks, in Vault's order (so the same request gets the same message). */
function trimmed(current: KeyPolicy, wanted: number): KeyPolicy {
  if (wanted < current.minAvailableVersion) throw invalid('minimum available version cannot be decremented');
  if (current.minEncryptionVersion === 0) {
    throw invalid('minimum available version cannot be set when minimum encryption version is not set');
  }
  if (wanted > current.minEncryptionVersion) {
    throw invalid('minimum available version cannot be greater than minmum encryption version');
  }
  if (wanted > current.minDecryptionVersion) {
    throw invalid('minimum available version cannot be greater than minimum decryption version');
  }
  if (wanted < 0) throw invalid('minimum available version cannot be negative');
  if (wanted === 0) throw invalid('minimum available version should be positive');
  const versions = new Map([...current.versions].filter(([number]) => number >= wanted));
  return { ...current, minAvailableVersion: wanted, versions };
}
