import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import { KEY_NAME, optionalParam } from './key-name.js';
import { activeVersion, activeVersions, type KeyPolicy, type KeyVersion } from './key-policy.js';
import { privateKeyOf, publicKeyOf } from './key-material.js';
import { isEcdsa, isRsa, isSymmetricCipher, supportsEncryption, supportsSigning } from './key-types.js';
import type { TransitContext } from './transit-context.js';
import { goAtoi } from './version-prefix.js';

const invalid = (message: string) => new CofferError('invalid_request', message);
const EXPORT_TYPES = ['encryption-key', 'signing-key', 'hmac-key', 'public-key'] as const;
type ExportType = (typeof EXPORT_TYPES)[number];

/**
 * `export/<type>/<name>[/<version>]`: key material of an exportable key, in Vault's encodings (raw
 * keys as base64, RSA as PKCS#1 PEM, ECDSA as SEC 1 PEM, Ed25519 as its 64-byte Go form). This is
 * the only path that ever returns private key material. `public-key` needs no `exportable`.
 */
export function exportPaths(ctx: TransitContext): PathDef[] {
  return [
    definePath({
      pattern: `export/(?<type>\\w(?:[\\w.-]*\\w)?)/${KEY_NAME}${optionalParam('version')}`,
      summary: 'Export a named key.',
      operations: {
        read: async (request) => {
          const exportType = request.params.type as string;
          if (!(EXPORT_TYPES as readonly string[]).includes(exportType)) throw invalid(`invalid export type: ${exportType}`);
          const type = exportType as ExportType;
          const policy = await ctx.keys.read(request.params.name as string);
          if (!policy) return undefined;
          if (!policy.exportable && type !== 'public-key') throw invalid('private key material is not exportable');
          if (type === 'encryption-key' && !supportsEncryption(policy.type)) throw invalid('encryption not supported for the key');
          if (type === 'signing-key' && !supportsSigning(policy.type)) throw invalid('signing not supported for the key');
          const keys: Record<string, string> = {};
          const wanted = request.params.version;
          if (wanted === undefined || wanted === '') {
            for (const [number, version] of activeVersions(policy)) keys[String(number)] = exported(policy, version, type);
          } else {
            const number = wanted === 'latest' ? policy.latestVersion : goAtoi(wanted.replace(/^v/, ''));
            if (number === undefined) throw invalid('invalid key version');
            if (number < policy.minDecryptionVersion) throw invalid('version for export is below minimum decryption version');
            if (!policy.versions.has(number)) throw invalid('version does not exist or cannot be found');
            keys[String(number)] = exported(policy, activeVersion(policy, number), type);
          }
          return { data: { name: policy.name, type: policy.type, keys } };
        },
      },
    }),
  ];
}

function exported(policy: KeyPolicy, version: KeyVersion, type: ExportType): string {
  const keyType = policy.type;
  if (type === 'hmac-key') return version.hmacKey.toString('base64');
  if (type === 'encryption-key') {
    if (isSymmetricCipher(keyType)) return (version.key as Buffer).toString('base64');
    if (isRsa(keyType)) return privateKeyOf(version).export({ type: 'pkcs1', format: 'pem' }) as string;
  }
  if (type === 'signing-key') {
    if (keyType === 'ed25519') return (version.key as Buffer).toString('base64');
    if (isEcdsa(keyType)) return (privateKeyOf(version).export({ type: 'sec1', format: 'pem' }) as string).trim();
    if (isRsa(keyType)) return privateKeyOf(version).export({ type: 'pkcs1', format: 'pem' }) as string;
  }
  if (type === 'public-key') {
    if (keyType === 'ed25519') return version.publicKey ?? '';
    if (isEcdsa(keyType)) return (publicKeyOf(version).export({ type: 'spki', format: 'pem' }) as string).trim();
    if (isRsa(keyType)) return publicKeyOf(version).export({ type: 'spki', format: 'pem' }) as string;
  }
  throw invalid(`unknown key type ${keyType} for export type ${type}`);
}
