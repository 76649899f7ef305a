import { createHmac, timingSafeEqual } from 'node:crypto';
import { CofferError, definePath, type LogicalRequest, type LogicalResponse, type PathDef } from '@coffer/sdk';
import { forEachItem, itemFailure, itemsAnswer, itemString, newTally, parseBatchInput } from './batch.js';
import { decodeBase64Field, decodeBase64Strict } from './go-base64.js';
import { isHashName, NODE_HASH, type DigestName } from './hash-algorithms.js';
import { KEY_NAME, optionalParam } from './key-name.js';
import { activeVersion, type KeyPolicy } from './key-policy.js';
import { goQuote } from './signature-options.js';
import type { TransitContext } from './transit-context.js';
import { goAtoi, withVersionPrefix } from './version-prefix.js';

const invalid = (message: string) => new CofferError('invalid_request', message);

/**
 * `hmac/<name>[/<hash>]`: HMAC of the input with the version's HMAC key, which every key type has
 * (for `hmac` keys it is the key). Output `vault:v<N>:<base64>`; verification goes through
 * `verify/<name>` with `hmac` (see path-sign-verify.ts).
 */
export function hmacPaths(ctx: TransitContext): PathDef[] {
  return [
    definePath({
      pattern: `hmac/${KEY_NAME}${optionalParam('urlalgorithm')}`,
      summary: 'Generate an HMAC of input data with a named key.',
      fields: {
        input: { type: 'string', description: 'Base64-encoded input', sensitive: true },
        algorithm: { type: 'string', default: 'sha2-256', description: 'Hash function' },
        key_version: { type: 'int', default: 0, description: 'Key version; 0 for the latest' },
        batch_input: { type: 'any', description: 'List of items' },
      },
      operations: { update: (request) => generate(ctx, request) },
    }),
  ];
}

/** The version's HMAC key, with Vault's HMACKey messages. */
function hmacKey(policy: KeyPolicy, version: number): Buffer {
  if (version < 0) throw invalid('key version does not exist (cannot be negative)');
  if (version > policy.latestVersion) throw invalid(`key version does not exist; latest key version is ${policy.latestVersion}`);
  return activeVersion(policy, version).hmacKey;
}

function digestName(name: string): DigestName {
  // `none` is a signing-only name: an HMAC needs a hash.
  if (!isHashName(name) || name === 'none') throw invalid(`unsupported algorithm ${goQuote(name)}`);
  return name;
}

async function generate(ctx: TransitContext, request: LogicalRequest): Promise<LogicalResponse> {
  const fields = request.fields as { input?: string; algorithm: string; key_version: number };
  const policy = await ctx.keys.read(request.params.name as string);
  if (!policy) throw invalid('encryption key not found');
  let version = fields.key_version;
  if (version === 0) version = policy.latestVersion;
  else if (version !== policy.latestVersion && policy.minEncryptionVersion > 0 && version < policy.minEncryptionVersion) {
    throw invalid('cannot generate HMAC: version is too old (disallowed by policy)');
  }
  const key = hmacKey(policy, version);
  const hash = NODE_HASH[digestName(request.params.urlalgorithm || fields.algorithm)];
  const batch = parseBatchInput(request.data.batch_input);
  if (!batch && fields.input === undefined) throw invalid('missing input for HMAC');
  const items = batch
    ? batch.map((item, i) => ({ input: itemString(item, 'input', i), reference: itemString(item, 'reference', i) ?? '' }))
    : [{ input: fields.input, reference: '' }];
  const tally = newTally();
  const results: Record<string, unknown>[] = [];
  await forEachItem(items, (item) => {
    const result: Record<string, unknown> = {};
    try {
      if (item.input === undefined) throw invalid('missing input for HMAC');
      const input = decodeBase64Field(item.input, 'unable to decode input as base64: ');
      result.hmac = withVersionPrefix(version, createHmac(hash, key).update(input).digest('base64'));
    } catch (error) {
      result.error = itemFailure(error, ctx.logger, tally);
    }
    results.push(batch ? { ...result, reference: item.reference } : result);
  });
  return itemsAnswer(results, batch !== undefined, tally.internalError);
}

/** HMAC verification, reached through `verify/<name>` with `hmac` values. */
export async function verifyHmac(ctx: TransitContext, request: LogicalRequest): Promise<LogicalResponse> {
  const fields = request.fields as { input: string; hash_algorithm: string; algorithm: string; hmac?: string };
  const policy = await ctx.keys.read(request.params.name as string);
  if (!policy) throw invalid('encryption key not found');
  const name = request.params.urlalgorithm || fields.hash_algorithm || fields.algorithm || 'sha2-256';
  if (!isHashName(name) || name === 'none') throw invalid(`invalid hash algorithm ${goQuote(name)}`);
  const hash = NODE_HASH[name];
  const batch = parseBatchInput(request.data.batch_input);
  const items = batch
    ? batch.map((item, i) => ({
        input: itemString(item, 'input', i),
        hmac: itemString(item, 'hmac', i),
        reference: itemString(item, 'reference', i) ?? '',
      }))
    : [{ input: fields.input, hmac: fields.hmac, reference: '' }];
  const tally = newTally();
  const results: Record<string, unknown>[] = [];
  await forEachItem(items, (item) => {
    const result: Record<string, unknown> = {};
    try {
      if (item.input === undefined) throw invalid('missing input');
      const input = decodeBase64Field(item.input, 'unable to decode input as base64: ');
      if (item.hmac === undefined) throw invalid('missing hmac');
      const { version, mac } = parseHmac(policy, item.hmac);
      const expected = createHmac(hash, hmacKey(policy, version)).update(input).digest();
      // Vault omits `valid` when false in batch results (omitempty); a single answer always has it.
      const valid = expected.length === mac.length && timingSafeEqual(expected, mac);
      if (valid || !batch) result.valid = valid;
    } catch (error) {
      result.error = itemFailure(error, ctx.logger, tally);
    }
    results.push(batch ? { ...result, reference: item.reference } : result);
  });
  return itemsAnswer(results, batch !== undefined, tally.internalError);
}

function parseHmac(policy: KeyPolicy, value: string): { version: number; mac: Buffer } {
  if (!value.startsWith('vault:v')) throw invalid('invalid HMAC to verify: no prefix');
  const rest = value.slice('vault:v'.length);
  const colon = rest.indexOf(':');
  if (colon === -1) throw invalid('invalid HMAC: wrong number of fields');
  const version = goAtoi(rest.slice(0, colon));
  if (version === undefined) throw invalid('invalid HMAC: version number could not be decoded');
  let mac: Buffer;
  try {
    mac = decodeBase64Strict(rest.slice(colon + 1));
  } catch (error) {
    throw invalid(`unable to decode verification HMAC as base64: ${(error as Error).message}`);
  }
  if (version > policy.latestVersion) throw invalid('invalid HMAC: version is too new');
  if (version < policy.minDecryptionVersion) throw invalid('cannot verify HMAC: version is too old (disallowed by policy)');
  return { version, mac };
}
