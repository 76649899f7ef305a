import { setImmediate as nextTurn } from 'node:timers/promises';
import { CofferError, isPlainObject, type Logger, type LogicalResponse } from '@coffer/sdk';

/**
 * Batch requests (`batch_input`), shared by encrypt, decrypt, rewrap, sign, verify and hmac.
 *
 * Vault sets no item limit; the request size limit bounds it. A single request must still not hold
 * the event loop for seconds (1,000 RSA-4096 signatures take about that), so batches are capped and
 * the loop yields between slices of items.
 */
export const BATCH_LIMIT = 1000;
const YIELD_EVERY = 32;

export type BatchItem = Record<string, unknown>;

/** The items, or undefined when `batch_input` is absent; refuses malformed or oversized batches. */
export function parseBatchInput(raw: unknown): BatchItem[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    throw invalid(`failed to parse batch input: source data must be an array or slice, got ${goType(raw)}`);
  }
  if (raw.length === 0) throw invalid('missing batch input to process');
  if (raw.length > BATCH_LIMIT) {
    throw invalid(`batch_input has ${raw.length} items; at most ${BATCH_LIMIT} are accepted per request`);
  }
  raw.forEach((item, i) => {
    if (!isPlainObject(item)) throw invalid(`failed to parse batch input: [${i}] expected a map, got '${goType(item)}'`);
  });
  return raw as BatchItem[];
}

/** A string member of an item; absent or null reads as undefined. */
export function itemString(item: BatchItem, field: string, index: number): string | undefined {
  const value = item[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw invalid(
    `failed to parse batch input: '[${index}].${field}' expected type 'string', got unconvertible type '${goType(value)}'`,
  );
}

export function itemInt(item: BatchItem, field: string, index: number): number | undefined {
  const value = item[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  throw invalid(`failed to parse batch input: '[${index}].${field}' expected type 'int', got unconvertible type '${goType(value)}'`);
}

/** Runs `fn` over the items in order, letting other requests run between slices. */
export async function forEachItem<T>(items: readonly T[], fn: (item: T, index: number) => void): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) await nextTurn();
    fn(items[i] as T, i);
  }
}

/** What a batch run saw: at least one success, a caller error, an internal failure. */
export interface BatchTally {
  succeeded: boolean;
  userError: boolean;
  internalError: boolean;
}

export const newTally = (): BatchTally => ({ succeeded: false, userError: false, internalError: false });

/**
 * The answer to a batch, as Vault's batchRequestResponse: 200 when every item succeeded; otherwise
 * 400 (user errors) or 500 (internal ones), with the results still in `data`. With some successes,
 * `partial_failure_response_code` overrides the status. Like Vault, the body is the normal envelope
 * with every item's result, whatever the status.
 */
export function batchAnswer(
  results: Record<string, unknown>[],
  tally: BatchTally,
  partialFailureCode: number | undefined,
): LogicalResponse {
  const data = { batch_results: results };
  if (!tally.userError && !tally.internalError) return { data };
  let code = tally.userError ? 400 : 500;
  const warnings: string[] = [];
  if (partialFailureCode !== undefined && tally.succeeded) {
    if (partialFailureCode < 1 || partialFailureCode > 599) {
      warnings.push(`invalid HTTP response code override from partial_failure_response_code, reverting to ${code}`);
    } else {
      code = partialFailureCode;
    }
  }
  return { data, status: code, ...(warnings.length ? { warnings } : {}) };
}

/**
 * How an item's failure is reported: a caller error keeps its message (Vault puts it in the item's
 * `error`); anything else is logged and shows only as "internal error", as 5xx bodies must.
 */
export function itemFailure(error: unknown, logger: Logger, tally: BatchTally): string {
  if (error instanceof CofferError && error.code === 'invalid_request') {
    tally.userError = true;
    return error.message;
  }
  tally.internalError = true;
  logger.error({ err: error }, 'transit: batch item failed');
  return 'internal error';
}

/** A single (non-batch) request's failure: the item's message as the error, 400 or 500. */
export function singleFailure(message: string, internal: boolean): CofferError {
  return internal ? new CofferError('internal', 'internal error') : invalid(message);
}

/**
 * The answer of operations without a partial-failure status (sign, verify, hmac): a batch answers
 * 200 with its per-item errors unless one failed internally; a single request fails with its error.
 */
export function itemsAnswer(results: Record<string, unknown>[], isBatch: boolean, internal: boolean): LogicalResponse {
  if (isBatch) {
    if (internal) throw new CofferError('internal', 'internal error', { data: { batch_results: results } });
    return { data: { batch_results: results } };
  }
  const only = results[0] as Record<string, unknown>;
  if (only.error !== undefined) throw singleFailure(only.error as string, internal);
  return { data: only };
}

function invalid(message: string): CofferError {
  return new CofferError('invalid_request', message);
}

/** The type names Go's decoder prints, for messages that match Vault's. */
function goType(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'json.Number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return '[]interface {}';
  if (value === null) return '<nil>';
  return 'map[string]interface {}';
}
