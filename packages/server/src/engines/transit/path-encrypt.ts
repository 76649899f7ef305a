import { CofferError, definePath, type LogicalRequest, type LogicalResponse, type PathDef } from '@coffer/sdk';
import { batchAnswer, forEachItem, itemFailure, itemInt, itemString, newTally, parseBatchInput, singleFailure } from './batch.js';
import { encryptValue } from './cipher-ops.js';
import { decodeBase64Field } from './go-base64.js';
import { newKeyPolicy } from './key-factory.js';
import { KEY_NAME } from './key-name.js';
import type { KeyPolicy } from './key-policy.js';
import { upsertDisabled } from './path-config-keys.js';
import { supportsAssociatedData, type KeyType } from './key-types.js';
import type { TransitContext } from './transit-context.js';

const invalid = (message: string) => new CofferError('invalid_request', message);

/**
 * `encrypt/<name>`: encrypts one plaintext or a batch. Like Vault, a write to a key that does not
 * exist creates it (an upsert), and the existence check makes that a `create` for the ACL, so a
 * token needs the create capability to mint keys this way. The transit seal calls this path.
 */
export function encryptPaths(ctx: TransitContext): PathDef[] {
  return [
    definePath({
      pattern: `encrypt/${KEY_NAME}`,
      summary: 'Encrypt a plaintext value or a batch of plaintext blocks using a named key.',
      fields: {
        plaintext: { type: 'string', description: 'Base64-encoded plaintext', sensitive: true },
        context: { type: 'string', description: 'Base64-encoded context for key derivation' },
        associated_data: { type: 'string', description: 'Base64-encoded associated data (AEAD keys)' },
        key_version: { type: 'int', description: 'Key version to use; 0 for the latest' },
        type: { type: 'string', default: 'aes256-gcm96', description: 'Type of the key created by an upsert' },
        convergent_encryption: { type: 'bool', description: 'Convergent encryption for a key created by an upsert' },
        nonce: { type: 'string', description: 'Legacy (convergent v1 keys only): always refused here' },
        partial_failure_response_code: { type: 'int', description: 'Status for a batch where some items failed' },
        batch_input: { type: 'any', description: 'List of items to encrypt', sensitive: true },
      },
      exists: async (request) => (await ctx.keys.read(request.params.name as string)) !== undefined,
      operations: { update: (request) => encrypt(ctx, request) },
    }),
  ];
}

interface Item {
  plaintext: string;
  context: string;
  nonce: string;
  associatedData: string;
  keyVersion: number;
  reference: string;
}

type Fields = Record<string, unknown> & {
  plaintext?: string;
  context?: string;
  nonce?: string;
  associated_data?: string;
  key_version?: number;
};

async function encrypt(ctx: TransitContext, request: LogicalRequest): Promise<LogicalResponse> {
  const fields = request.fields as Fields;
  const batch = parseBatchInput(request.data.batch_input);
  const items: Item[] = batch
    ? batch.map((item, i) => ({
        plaintext: requiredPlaintext(itemString(item, 'plaintext', i), i),
        context: itemString(item, 'context', i) ?? '',
        nonce: itemString(item, 'nonce', i) ?? '',
        associatedData: itemString(item, 'associated_data', i) ?? '',
        keyVersion: itemInt(item, 'key_version', i) ?? 0,
        reference: itemString(item, 'reference', i) ?? '',
      }))
    : [single(fields)];
  const contextSet = (items[0] as Item).context !== '';
  if (items.some((item) => (item.context !== '') !== contextSet)) {
    throw invalid('context should be set either in all the request blocks or in none');
  }
  const { policy, upserted } = await keyFor(ctx, request, contextSet);
  const tally = newTally();
  const results: Record<string, unknown>[] = [];
  await forEachItem(items, (item, i) => {
    const result: Record<string, unknown> = {};
    try {
      const plaintext = decodeBase64Field(item.plaintext);
      const context = item.context ? decodeBase64Field(item.context) : undefined;
      // Caller nonces only ever served convergent keys of Vault 0.6.1 (version 1), which no key here is.
      if (item.nonce) throw invalid('nonce provided when not allowed');
      const associatedData = aad(policy, item.associatedData, i);
      const { ciphertext, keyVersion } = encryptValue(policy, { plaintext, context, associatedData, keyVersion: item.keyVersion });
      Object.assign(result, { ciphertext, key_version: keyVersion });
      tally.succeeded = true;
    } catch (error) {
      result.error = itemFailure(error, ctx.logger, tally);
    }
    results.push(batch ? { ...result, reference: item.reference } : result);
  });
  const warnings =
    request.operation === 'create' && !upserted
      ? ['Attempted creation of the key during the encrypt operation, but it was created beforehand']
      : [];
  if (!batch) {
    const only = results[0] as Record<string, unknown>;
    if (only.error !== undefined) throw singleFailure(only.error as string, tally.internalError);
    return { data: only, ...(warnings.length ? { warnings } : {}) };
  }
  const answer = batchAnswer(results, tally, fields.partial_failure_response_code as number | undefined);
  return warnings.length ? { ...answer, warnings: [...(answer.warnings ?? []), ...warnings] } : answer;
}

function single(fields: Fields): Item {
  if (fields.plaintext === undefined) throw invalid('missing plaintext to encrypt');
  return {
    plaintext: fields.plaintext,
    context: fields.context ?? '',
    nonce: fields.nonce ?? '',
    associatedData: fields.associated_data ?? '',
    keyVersion: fields.key_version ?? 0,
    reference: '',
  };
}

function requiredPlaintext(value: string | undefined, index: number): string {
  if (value === undefined) throw invalid(`failed to parse batch input: '[${index}].plaintext' missing plaintext to encrypt`);
  return value;
}

/** The named key; for a `create` (the key did not exist at the ACL check) an upsert. */
async function keyFor(
  ctx: TransitContext,
  request: LogicalRequest,
  contextSet: boolean,
): Promise<{ policy: KeyPolicy; upserted: boolean }> {
  const name = request.params.name as string;
  if (request.operation !== 'create') {
    const policy = await ctx.keys.read(name);
    if (!policy) throw invalid('encryption key not found');
    return { policy, upserted: false };
  }
  const convergent = request.fields.convergent_encryption === true;
  if (convergent && !contextSet) throw invalid('convergent encryption requires derivation to be enabled, so context is required');
  const type = upsertType(request.fields.type as string);
  if (await upsertDisabled(ctx.storage)) {
    const existing = await ctx.keys.read(name);
    if (!existing) throw invalid('encryption key not found');
    return { policy: existing, upserted: false };
  }
  const { policy, changed } = await ctx.keys.update(name, async (current) =>
    current
      ? undefined
      : newKeyPolicy({
          name,
          type,
          derived: contextSet,
          convergent,
          exportable: false,
          allowPlaintextBackup: false,
          autoRotatePeriod: 0,
          nowMs: ctx.now(),
        }),
  );
  if (!policy) throw invalid('encryption key not found');
  return { policy, upserted: changed };
}

function upsertType(type: string): KeyType {
  if (type === 'aes128-gcm96' || type === 'aes256-gcm96' || type === 'chacha20-poly1305') return type;
  if (type.startsWith('ecdsa-p') && ['256', '384', '521'].includes(type.slice(7))) {
    throw invalid(`key type ${type} not supported for this operation`);
  }
  throw invalid(`unknown key type ${type}`);
}

/** Associated data, refused for keys that are not AEADs (Vault's message names the item). */
export function aad(policy: KeyPolicy, encoded: string, index: number): Buffer | undefined {
  if (encoded === '') return undefined;
  if (!supportsAssociatedData(policy.type)) {
    throw invalid(`'[${index}].associated_data' provided for non-AEAD cipher suite ${policy.type}`);
  }
  return decodeBase64Field(encoded, 'unable to get associated_data/additional_data from factory[0]: ');
}
