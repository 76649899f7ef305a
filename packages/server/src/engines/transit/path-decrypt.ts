import { CofferError, definePath, type LogicalRequest, type LogicalResponse, type PathDef } from '@coffer/sdk';
import {
  batchAnswer,
  forEachItem,
  itemFailure,
  itemInt,
  itemString,
  newTally,
  parseBatchInput,
  singleFailure,
  type BatchItem,
} from './batch.js';
import { decryptValue, encryptValue } from './cipher-ops.js';
import { decodeBase64Field } from './go-base64.js';
import { KEY_NAME } from './key-name.js';
import type { KeyPolicy } from './key-policy.js';
import { aad } from './path-encrypt.js';
import type { TransitContext } from './transit-context.js';

const invalid = (message: string) => new CofferError('invalid_request', message);

/**
 * `decrypt/<name>` (the transit seal's unwrap) and `rewrap/<name>`, which decrypts and encrypts
 * again under the latest (or a chosen) version without the plaintext ever leaving the server.
 */
export function decryptPaths(ctx: TransitContext): PathDef[] {
  return [
    definePath({
      pattern: `decrypt/${KEY_NAME}`,
      summary: 'Decrypt a ciphertext value, or a batch, using a named key.',
      fields: {
        ciphertext: { type: 'string', description: 'The ciphertext, as encrypt returned it' },
        context: { type: 'string', description: 'Base64-encoded context for key derivation' },
        associated_data: { type: 'string', description: 'Base64-encoded associated data (AEAD keys)' },
        partial_failure_response_code: { type: 'int', description: 'Status for a batch where some items failed' },
        batch_input: { type: 'any', description: 'List of items to decrypt' },
      },
      operations: { update: (request) => decrypt(ctx, request) },
    }),
    definePath({
      pattern: `rewrap/${KEY_NAME}`,
      summary: 'Rewrap a ciphertext, or a batch, under the latest version of a named key.',
      fields: {
        ciphertext: { type: 'string', description: 'The ciphertext to rewrap' },
        context: { type: 'string', description: 'Base64-encoded context for key derivation' },
        key_version: { type: 'int', description: 'Key version to encrypt with; 0 for the latest' },
        batch_input: { type: 'any', description: 'List of items to rewrap' },
      },
      operations: { update: (request) => rewrap(ctx, request) },
    }),
  ];
}

interface Item {
  ciphertext: string;
  context: string;
  associatedData: string;
  keyVersion: number;
  reference: string;
}

function readItems(request: LogicalRequest, batch: BatchItem[] | undefined): Item[] {
  if (!batch) {
    const fields = request.fields as { ciphertext?: string; context?: string; associated_data?: string; key_version?: number };
    if (!fields.ciphertext) throw invalid('missing ciphertext to decrypt');
    return [
      {
        ciphertext: fields.ciphertext,
        context: fields.context ?? '',
        associatedData: fields.associated_data ?? '',
        keyVersion: fields.key_version ?? 0,
        reference: '',
      },
    ];
  }
  return batch.map((item, i) => {
    const ciphertext = itemString(item, 'ciphertext', i);
    if (ciphertext === undefined) throw invalid(`failed to parse batch input: '[${i}].ciphertext' missing ciphertext to decrypt`);
    return {
      ciphertext,
      context: itemString(item, 'context', i) ?? '',
      associatedData: itemString(item, 'associated_data', i) ?? '',
      keyVersion: itemInt(item, 'key_version', i) ?? 0,
      reference: itemString(item, 'reference', i) ?? '',
    };
  });
}

/** Shared by decrypt and rewrap: items, context consistency, the key (which must exist). */
async function prepare(ctx: TransitContext, request: LogicalRequest) {
  const batch = parseBatchInput(request.data.batch_input);
  const items = readItems(request, batch);
  const contextSet = (items[0] as Item).context !== '';
  if (items.some((item) => (item.context !== '') !== contextSet)) {
    throw invalid('context should be set either in all the request blocks or in none');
  }
  const policy = await ctx.keys.read(request.params.name as string);
  if (!policy) throw invalid('encryption key not found');
  return { batch, items, policy };
}

/** Rewrap takes no associated data (as in Vault): it could not put it back on the new ciphertext. */
function openItem(policy: KeyPolicy, item: Item, index: number, withAad: boolean) {
  if (item.ciphertext === '') throw invalid('missing ciphertext to decrypt');
  const context = item.context ? decodeBase64Field(item.context) : undefined;
  const associatedData = withAad ? aad(policy, item.associatedData, index) : undefined;
  return { plaintext: decryptValue(policy, { ciphertext: item.ciphertext, context, associatedData }), context };
}

async function decrypt(ctx: TransitContext, request: LogicalRequest): Promise<LogicalResponse> {
  const { batch, items, policy } = await prepare(ctx, request);
  const tally = newTally();
  const results: Record<string, unknown>[] = [];
  await forEachItem(items, (item, i) => {
    // Vault always includes `plaintext` in a batch result, empty for a failed item.
    const result: Record<string, unknown> = { plaintext: '' };
    try {
      result.plaintext = openItem(policy, item, i, true).plaintext.toString('base64');
      tally.succeeded = true;
    } catch (error) {
      result.error = itemFailure(error, ctx.logger, tally);
    }
    results.push(batch ? { ...result, reference: item.reference } : result);
  });
  return finish(results, batch !== undefined, tally, request.fields.partial_failure_response_code as number | undefined);
}

async function rewrap(ctx: TransitContext, request: LogicalRequest): Promise<LogicalResponse> {
  const { batch, items, policy } = await prepare(ctx, request);
  const tally = newTally();
  const results: Record<string, unknown>[] = [];
  await forEachItem(items, (item, i) => {
    const result: Record<string, unknown> = {};
    try {
      const { plaintext, context } = openItem(policy, item, i, false);
      const sealed = encryptValue(policy, { plaintext, context, keyVersion: item.keyVersion });
      Object.assign(result, { ciphertext: sealed.ciphertext, key_version: sealed.keyVersion });
      tally.succeeded = true;
    } catch (error) {
      result.error = itemFailure(error, ctx.logger, tally);
    }
    results.push(batch ? { ...result, reference: item.reference } : result);
  });
  // Vault's rewrap answers a batch with 200 whatever its items did (no partial-failure status).
  if (batch && !tally.internalError) return { data: { batch_results: results } };
  return finish(results, batch !== undefined, tally, undefined);
}

function finish(
  results: Record<string, unknown>[],
  isBatch: boolean,
  tally: ReturnType<typeof newTally>,
  partialFailureCode: number | undefined,
): LogicalResponse {
  if (!isBatch) {
    const only = results[0] as Record<string, unknown>;
    if (only.error !== undefined) throw singleFailure(only.error as string, tally.internalError);
    return { data: only };
  }
  return batchAnswer(results, tally, partialFailureCode);
}
