import { CofferError, definePath, isPlainObject, type PathDef } from '@coffer/sdk';
import { decodeBase64Strict } from './go-base64.js';
import { KEY_NAME, optionalParam } from './key-name.js';
import type { KeyPolicy } from './key-policy.js';
import { policyFromJson, policyToJson } from './policy-codec.js';
import type { TransitContext } from './transit-context.js';

const invalid = (message: string) => new CofferError('invalid_request', message);
const NAME_PATTERN = /^\w(?:[\w.-]*\w)?$/u;

/**
 * `backup/<name>` and `restore[/<name>]`: the whole key, all versions included, as one base64 blob
 * (only for keys both exportable and allowing plaintext backups, as in Vault). The blob is Coffer's
 * own JSON, not Vault's Go-struct encoding: backups restore into Coffer, not across products.
 */
export function backupPaths(ctx: TransitContext): PathDef[] {
  return [
    definePath({
      pattern: `backup/${KEY_NAME}`,
      summary: 'Back up a named key.',
      operations: {
        read: async (request) => {
          const name = request.params.name as string;
          const { policy } = await ctx.keys.update(name, (current) => {
            if (!current) throw invalid(`key ${JSON.stringify(name)} not found`);
            if (!current.exportable) throw invalid('exporting is disallowed on the policy');
            if (!current.allowPlaintextBackup) throw invalid('plaintext backup is disallowed on the policy');
            // Like Vault, the key remembers when it was last backed up (shown by a read).
            return { ...current, backupInfo: { timeMs: ctx.now(), version: current.latestVersion } };
          });
          const json = policyToJson(policy as KeyPolicy);
          return { data: { backup: Buffer.from(JSON.stringify({ coffer_transit_backup: 1, policy: json })).toString('base64') } };
        },
      },
    }),
    definePath({
      pattern: `restore${optionalParam('name')}`,
      summary: 'Restore a named key from a backup.',
      fields: {
        backup: { type: 'string', description: 'The backup blob', sensitive: true },
        force: { type: 'bool', default: false, description: 'Overwrite an existing key of the same name' },
      },
      operations: {
        update: async (request) => {
          const { backup, force } = request.fields as { backup?: string; force: boolean };
          if (!backup) throw invalid("'backup' must be supplied");
          const urlName = request.params.name;
          if (urlName !== undefined && urlName.includes('/')) throw invalid('key names cannot be paths');
          const restored = parseBackup(backup);
          const name = urlName ?? restored.name;
          if (!NAME_PATTERN.test(name)) throw invalid('key names cannot be paths');
          await ctx.keys.update(name, (current) => {
            if (current && !force) throw invalid(`key ${JSON.stringify(name)} already exists`);
            return { ...restored, name, restoreInfo: { timeMs: ctx.now(), version: restored.latestVersion } };
          });
          return undefined;
        },
      },
    }),
  ];
}

function parseBackup(blob: string): KeyPolicy {
  let content: unknown;
  try {
    content = JSON.parse(decodeBase64Strict(blob).toString('utf8'));
  } catch {
    throw invalid('failed to decode backup: not a transit key backup');
  }
  if (!isPlainObject(content) || content.coffer_transit_backup !== 1 || !isPlainObject(content.policy)) {
    throw invalid('failed to decode backup: not a transit key backup');
  }
  let policy: KeyPolicy;
  try {
    policy = policyFromJson(content.policy, 'backup');
  } catch {
    throw invalid('failed to decode backup: the key in it is malformed');
  }
  // A blob is caller input: refuse one whose versions do not add up rather than store a broken key.
  const first = Math.max(1, policy.minAvailableVersion);
  const complete = Array.from({ length: policy.latestVersion - first + 1 }, (_, i) => first + i).every((n) =>
    policy.versions.has(n),
  );
  if (policy.latestVersion < 1 || !complete || policy.minDecryptionVersion < first || policy.minDecryptionVersion > policy.latestVersion) {
    throw invalid('failed to decode backup: the key in it is malformed');
  }
  return policy;
}
