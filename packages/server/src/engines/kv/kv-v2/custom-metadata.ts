import { CofferError } from '@coffer/sdk';

/** Vault's limits on a secret's custom_metadata. */
export const MAX_CUSTOM_METADATA_KEYS = 64;
export const MAX_CUSTOM_METADATA_KEY_BYTES = 128;
export const MAX_CUSTOM_METADATA_VALUE_BYTES = 512;

const PREFIX = 'custom_metadata validation failed';

/**
 * Turns a request's `custom_metadata` object into a string map, converting scalars as Vault's weak
 * decoding does (numbers to text, booleans to "1"/"0"). With `dropNulls` (PATCH) a null value is
 * kept out of the map, since the merge patch uses it to remove the key.
 */
export function parseCustomMetadata(raw: Record<string, unknown>, dropNulls: boolean): Record<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(raw)) {
    if (value === null && dropNulls) continue;
    out.set(key, toText(key, value));
  }
  return Object.fromEntries(out);
}

/** Vault's checks and messages (path_metadata.go, validateCustomMetadata); all problems are reported. */
export function validateCustomMetadata(metadata: Record<string, string>): void {
  const entries = Object.entries(metadata);
  if (entries.length > MAX_CUSTOM_METADATA_KEYS) {
    fail([`${PREFIX}: payload must contain at most ${MAX_CUSTOM_METADATA_KEYS} keys, provided ${entries.length}`]);
  }
  const problems: string[] = [];
  for (const [key, value] of entries) {
    const keyBytes = Buffer.byteLength(key, 'utf8');
    const valueBytes = Buffer.byteLength(value, 'utf8');
    if (keyBytes === 0 || keyBytes > MAX_CUSTOM_METADATA_KEY_BYTES) {
      problems.push(
        `${PREFIX}: length of key ${quote(key)} is ${keyBytes} but must be 0 < len(key) <= ${MAX_CUSTOM_METADATA_KEY_BYTES}`,
      );
    }
    if (valueBytes === 0 || valueBytes > MAX_CUSTOM_METADATA_VALUE_BYTES) {
      problems.push(
        `${PREFIX}: length of value for key ${quote(key)} is ${valueBytes} but must be 0 < len(value) <= ${MAX_CUSTOM_METADATA_VALUE_BYTES}`,
      );
    }
    if (!isPrintable(key)) problems.push(`${PREFIX}: key ${quote(key)} (${key}) contains unprintable characters`);
    if (!isPrintable(value)) problems.push(`${PREFIX}: value for key ${quote(key)} contains unprintable characters`);
  }
  if (problems.length > 0) fail(problems);
}

function toText(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  // Vault decodes a missing value as "", which then fails the length rule.
  if (value === null) return '';
  throw new CofferError('invalid_request', `${PREFIX}: value for key ${quote(key)} must be a string`);
}

/** Go's unicode.IsPrint: no control, format, surrogate, private-use or unassigned code points, and no space but U+0020. */
function isPrintable(text: string): boolean {
  return !/[\p{C}\p{Zl}\p{Zp}]|[^\P{Zs} ]/u.test(text);
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function fail(problems: string[]): never {
  throw new CofferError('invalid_request', problems.join('; '));
}
