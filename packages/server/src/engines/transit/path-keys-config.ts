import { CofferError, definePath, type LogicalRequest, type LogicalResponse, type PathDef } from '@coffer/sdk';
import { keyJson } from './key-json.js';
import { KEY_NAME } from './key-name.js';
import type { KeyPolicy } from './key-policy.js';
import type { TransitContext } from './transit-context.js';

const invalid = (message: string) => new CofferError('invalid_request', message);
const HOUR = 3600;

interface ConfigFields {
  min_decryption_version?: number;
  min_encryption_version?: number;
  deletion_allowed?: boolean;
  exportable?: boolean;
  allow_plaintext_backup?: boolean;
  auto_rotate_period?: number;
}

/**
 * `keys/<name>/config`: the settings that may change after creation, validated as Vault's
 * pathKeysConfigWrite does. `exportable` and `allow_plaintext_backup` can be turned on, never off.
 * Runs under the key's writer lock, so it cannot interleave with a rotation or a trim.
 */
export function keysConfigPaths(ctx: TransitContext): PathDef[] {
  return [
    definePath({
      pattern: `keys/${KEY_NAME}/config`,
      summary: 'Configure a named key.',
      fields: {
        min_decryption_version: { type: 'int', description: 'Oldest version allowed to decrypt and verify' },
        min_encryption_version: { type: 'int', description: 'Oldest version allowed to encrypt and sign; 0 for any' },
        deletion_allowed: { type: 'bool', description: 'Whether the key may be deleted' },
        exportable: { type: 'bool', description: 'Allow exporting (cannot be undone)' },
        allow_plaintext_backup: { type: 'bool', description: 'Allow plaintext backups (cannot be undone)' },
        auto_rotate_period: { type: 'duration', description: 'Rotate automatically this often (>= 1h); 0 disables' },
      },
      operations: { update: (request) => configure(ctx, request) },
    }),
  ];
}

async function configure(ctx: TransitContext, request: LogicalRequest): Promise<LogicalResponse> {
  const name = request.params.name as string;
  const fields = request.fields as ConfigFields;
  const warnings: string[] = [];
  const { policy } = await ctx.keys.update(name, (current) => {
    if (!current) throw invalid(`no existing key named ${name} could be found`);
    const next = applyConfig(current, fields, warnings);
    return next === current ? undefined : next;
  });
  return { data: keyJson(policy as KeyPolicy), ...(warnings.length ? { warnings } : {}) };
}

/** The policy with the requested settings, or `current` itself when nothing changes. */
export function applyConfig(current: KeyPolicy, fields: ConfigFields, warnings: string[]): KeyPolicy {
  let minDecryptionVersion = current.minDecryptionVersion;
  let minEncryptionVersion = current.minEncryptionVersion;
  let changed = false;
  if (fields.min_decryption_version !== undefined) {
    let wanted = fields.min_decryption_version;
    if (wanted < 0) throw invalid('min decryption version cannot be negative');
    if (wanted === 0) {
      wanted = 1;
      warnings.push('since Vault 0.3, transit key numbering starts at 1; forcing minimum to 1');
    }
    if (wanted !== minDecryptionVersion) {
      if (wanted > current.latestVersion) {
        throw invalid(`cannot set min decryption version of ${wanted}, latest key version is ${current.latestVersion}`);
      }
      minDecryptionVersion = wanted;
      changed = true;
    }
  }
  if (fields.min_encryption_version !== undefined) {
    const wanted = fields.min_encryption_version;
    if (wanted < 0) throw invalid('min encryption version cannot be negative');
    if (wanted !== minEncryptionVersion) {
      if (wanted > current.latestVersion) {
        throw invalid(`cannot set min encryption version of ${wanted}, latest key version is ${current.latestVersion}`);
      }
      minEncryptionVersion = wanted;
      changed = true;
    }
  }
  if (minEncryptionVersion > 0 && minEncryptionVersion < minDecryptionVersion) {
    throw invalid(
      `cannot set min encryption/decryption values; min encryption version of ${minEncryptionVersion} must be greater than or equal to min decryption version of ${minDecryptionVersion}`,
    );
  }
  const deletionAllowed = fields.deletion_allowed ?? current.deletionAllowed;
  const exportable = current.exportable || fields.exportable === true;
  const allowPlaintextBackup = current.allowPlaintextBackup || fields.allow_plaintext_backup === true;
  let autoRotatePeriod = current.autoRotatePeriod;
  if (fields.auto_rotate_period !== undefined) {
    if (fields.auto_rotate_period !== 0 && fields.auto_rotate_period < HOUR) {
      throw invalid('auto rotate period must be 0 to disable or at least an hour');
    }
    autoRotatePeriod = fields.auto_rotate_period;
  }
  changed ||=
    deletionAllowed !== current.deletionAllowed ||
    exportable !== current.exportable ||
    allowPlaintextBackup !== current.allowPlaintextBackup ||
    autoRotatePeriod !== current.autoRotatePeriod;
  if (!changed) return current;
  if (current.minAvailableVersion > minEncryptionVersion) {
    throw invalid('min encryption version should not be less than min available version');
  }
  if (current.minAvailableVersion > minDecryptionVersion) {
    throw invalid('min decryption version should not be less then min available version');
  }
  return {
    ...current,
    minDecryptionVersion,
    minEncryptionVersion,
    deletionAllowed,
    exportable,
    allowPlaintextBackup,
    autoRotatePeriod,
  };
}
