import { CofferError } from '@coffer/sdk';

/**
 * Vault's versioned value format, `vault:v<N>:<payload>`, shared by ciphertexts, signatures and
 * HMACs. The literal `vault` prefix stays for compatibility: existing ciphertexts and clients that
 * parse the version out of it keep working.
 */
const PREFIX = 'vault:v';

export function withVersionPrefix(version: number, payload: string): string {
  return `${PREFIX}${version}:${payload}`;
}

/** The noun in Vault's messages: `invalid ciphertext: ...`, `invalid signature: ...`. */
export type VersionedKind = 'ciphertext' | 'signature';

/**
 * Splits a versioned value, with Vault's messages for each way it can be malformed. The version is
 * parsed as Go's strconv.Atoi would (an optional sign, decimal digits, 64-bit range).
 */
export function splitVersioned(value: string, kind: VersionedKind): { version: number; payload: string } {
  if (!value.startsWith(PREFIX)) throw invalid(`invalid ${kind}: no prefix`);
  const rest = value.slice(PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon === -1) throw invalid(`invalid ${kind}: wrong number of fields`);
  const version = goAtoi(rest.slice(0, colon));
  if (version === undefined) throw invalid(`invalid ${kind}: version number could not be decoded`);
  return { version, payload: rest.slice(colon + 1) };
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Go's strconv.Atoi: undefined where Go fails. Values beyond JS's safe range saturate, still ordered. */
export function goAtoi(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const big = BigInt(text);
  if (big > INT64_MAX || big < INT64_MIN) return undefined;
  return Number(big);
}

function invalid(message: string): CofferError {
  return new CofferError('invalid_request', message);
}
