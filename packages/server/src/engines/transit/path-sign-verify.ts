import { CofferError, definePath, type LogicalRequest, type LogicalResponse, type PathDef } from '@coffer/sdk';
import { forEachItem, itemFailure, itemsAnswer, itemString, newTally, parseBatchInput } from './batch.js';
import { decodeBase64Field, decodeBase64Strict } from './go-base64.js';
import { KEY_NAME, optionalParam } from './key-name.js';
import { supportsSigning } from './key-types.js';
import { verifyHmac } from './path-hmac.js';
import { checkNoneHash, parseSignatureOptions, SIGNATURE_FIELDS } from './signature-options.js';
import { signInput, verifyInput } from './signing.js';
import type { TransitContext } from './transit-context.js';

const invalid = (message: string) => new CofferError('invalid_request', message);

/**
 * `sign/<name>[/<hash>]` and `verify/<name>[/<hash>]`. Verify also checks HMACs when given `hmac`
 * instead of `signature`, as in Vault. Batches answer 200 with per-item errors (Vault applies no
 * partial-failure status here).
 */
export function signVerifyPaths(ctx: TransitContext): PathDef[] {
  return [
    definePath({
      pattern: `sign/${KEY_NAME}${optionalParam('urlalgorithm')}`,
      summary: 'Sign input with a named key.',
      fields: { ...SIGNATURE_FIELDS, key_version: { type: 'int', default: 0, description: 'Key version; 0 for the latest' } },
      operations: { update: (request) => signRequest(ctx, request) },
    }),
    definePath({
      pattern: `verify/${KEY_NAME}${optionalParam('urlalgorithm')}`,
      summary: 'Verify a signature or an HMAC with a named key.',
      fields: {
        ...SIGNATURE_FIELDS,
        signature: { type: 'string', description: 'The signature, as sign returned it' },
        hmac: { type: 'string', description: 'The HMAC, as hmac returned it' },
      },
      operations: { update: (request) => verifyRequest(ctx, request) },
    }),
  ];
}

interface Item {
  input: string | undefined;
  context: string;
  signature?: string | undefined;
  hmac?: string | undefined;
  reference: string;
}

function readItems(request: LogicalRequest, batch: Record<string, unknown>[] | undefined): Item[] {
  const fields = request.fields as { input: string; context: string; signature?: string; hmac?: string };
  if (!batch) return [{ input: fields.input, context: fields.context, signature: fields.signature, hmac: fields.hmac, reference: '' }];
  return batch.map((item, i) => ({
    input: itemString(item, 'input', i),
    context: itemString(item, 'context', i) ?? '',
    signature: itemString(item, 'signature', i),
    hmac: itemString(item, 'hmac', i),
    reference: itemString(item, 'reference', i) ?? '',
  }));
}

function decodeInput(item: Item): Buffer {
  if (item.input === undefined) throw invalid('missing input');
  return decodeBase64Field(item.input, 'unable to decode input as base64: ');
}

function decodeContext(item: Item): Buffer | undefined {
  if (!item.context) return undefined;
  try {
    return decodeBase64Strict(item.context);
  } catch {
    throw invalid('failed to base64-decode context');
  }
}

async function signRequest(ctx: TransitContext, request: LogicalRequest): Promise<LogicalResponse> {
  const options = parseSignatureOptions(request.fields, request.params.urlalgorithm);
  const policy = await ctx.keys.read(request.params.name as string);
  if (!policy) throw invalid('signing key not found');
  if (!supportsSigning(policy.type)) throw invalid(`key type ${policy.type} does not support signing`);
  checkNoneHash(options);
  const batch = parseBatchInput(request.data.batch_input);
  const items = readItems(request, batch);
  const keyVersion = request.fields.key_version as number;
  const tally = newTally();
  const results: Record<string, unknown>[] = [];
  await forEachItem(items, (item) => {
    const result: Record<string, unknown> = {};
    try {
      const input = decodeInput(item); // before the context, so a request with both wrong gets Vault's message
      const signed = signInput(policy, keyVersion, decodeContext(item), input, options);
      result.signature = signed.signature;
      result.key_version = signed.keyVersion;
      if (signed.publicKey) result[batch ? 'publickey' : 'public_key'] = signed.publicKey.toString('base64');
    } catch (error) {
      result.error = itemFailure(error, ctx.logger, tally);
    }
    results.push(batch ? { key_version: 0, ...result, reference: item.reference } : result);
  });
  return itemsAnswer(results, batch !== undefined, tally.internalError);
}

async function verifyRequest(ctx: TransitContext, request: LogicalRequest): Promise<LogicalResponse> {
  const batch = parseBatchInput(request.data.batch_input);
  const items = readItems(request, batch);
  const withSignature = items.filter((item) => item.signature !== undefined).length;
  const withHmac = items.filter((item) => item.signature === undefined && item.hmac !== undefined).length;
  const missing = items.length - withSignature - withHmac;
  if (!batch && withSignature && request.fields.hmac !== undefined) throw invalid("provide one of 'signature' or 'hmac'");
  if (!batch && !withSignature && !withHmac) throw invalid("neither a 'signature' nor an 'hmac' were given to verify");
  if (withSignature && withHmac) throw invalid("elements of batch_input must all provide 'signature' or all provide 'hmac'");
  if (missing && withSignature) throw invalid("some elements of batch_input are missing 'signature'");
  if (missing && withHmac) throw invalid("some elements of batch_input are missing 'hmac'");
  if (missing) throw invalid("no batch_input elements have 'signature' or 'hmac'");
  if (withHmac) return verifyHmac(ctx, request);

  const options = parseSignatureOptions(request.fields, request.params.urlalgorithm);
  const policy = await ctx.keys.read(request.params.name as string);
  if (!policy) throw invalid('signature verification key not found');
  if (!supportsSigning(policy.type)) throw invalid(`key type ${policy.type} does not support verification`);
  checkNoneHash(options);
  const tally = newTally();
  const results: Record<string, unknown>[] = [];
  await forEachItem(items, (item) => {
    const result: Record<string, unknown> = { valid: false };
    try {
      const input = decodeInput(item);
      result.valid = verifyInput(policy, decodeContext(item), input, item.signature as string, options);
    } catch (error) {
      result.error = itemFailure(error, ctx.logger, tally);
    }
    results.push(batch ? { ...result, reference: item.reference } : result);
  });
  return itemsAnswer(results, batch !== undefined, tally.internalError);
}
