import { CofferError, isPlainObject } from '@coffer/sdk';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Records are JSON objects in UTF-8; the barrier below encrypts them. */
export function encodeJson(value: Record<string, unknown>): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/**
 * A record that no longer decodes is corruption, not bad input: it surfaces as `internal` (500)
 * with the record named in the logged cause, never in the client's message.
 */
export function decodeJson(raw: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(raw));
  } catch (cause) {
    throw new CofferError('internal', 'internal error', { cause: new Error(`cannot decode ${what}`, { cause }) });
  }
  if (!isPlainObject(value)) {
    throw new CofferError('internal', 'internal error', { cause: new Error(`${what} is not a JSON object`) });
  }
  return value;
}
