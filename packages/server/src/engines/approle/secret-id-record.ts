import { invalid } from './role-record.js';

/** A secret ID's properties, stored under the HMAC of the secret ID (never the secret ID itself). */
export interface SecretIdRecord {
  /** A random UUID naming the secret ID for listing, lookup and destroy; it cannot log in. */
  accessor: string;
  /** Uses left; 0 is unlimited. */
  numUses: number;
  /** Seconds as requested (Vault reports the request, not the cap applied). */
  ttl: number;
  creationTime: string;
  /** ISO time; null when the secret ID never expires. */
  expirationTime: string | null;
  lastUpdatedTime: string;
  metadata: Record<string, string>;
  cidrList: string[];
  tokenBoundCidrs: string[];
}

/** Go's zero time, which Vault shows as the expiration of a secret ID that never expires. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** The secret ID as Vault's `secret-id/lookup` and `secret-id-accessor/lookup` show it. */
export function secretIdJson(record: SecretIdRecord): Record<string, unknown> {
  return {
    cidr_list: [...record.cidrList],
    creation_time: record.creationTime,
    expiration_time: record.expirationTime ?? GO_ZERO_TIME,
    last_updated_time: record.lastUpdatedTime,
    metadata: { ...record.metadata },
    secret_id_accessor: record.accessor,
    secret_id_num_uses: record.numUses,
    secret_id_ttl: record.ttl,
    token_bound_cidrs: [...record.tokenBoundCidrs],
  };
}

export function isExpired(record: SecretIdRecord, now: Date): boolean {
  return record.expirationTime !== null && now.getTime() >= Date.parse(record.expirationTime);
}

/**
 * Limits of our own (Vault has none): the metadata is copied onto every token the secret ID mints
 * and into audit entries, so it is kept small.
 */
export const MAX_METADATA_BYTES = 4096;
export const MAX_METADATA_KEYS = 64;

/**
 * Parses a secret ID's `metadata` as Vault's strutil.ParseArbitraryKeyValues: a JSON object of
 * strings, the same base64-encoded, or `k1=v1,k2=v2`. Empty values are refused.
 */
export function parseSecretIdMetadata(input: string | undefined): Record<string, string> {
  let text = (input ?? '').trim();
  if (text === '') return {};
  if (Buffer.byteLength(text) > MAX_METADATA_BYTES) {
    throw invalid(`failed to parse metadata: metadata is longer than maximum of ${MAX_METADATA_BYTES} bytes`);
  }
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0) text = Buffer.from(text, 'base64').toString('utf8');
  const out = fromJson(text) ?? fromPairs(text);
  const entries = Object.entries(out);
  if (entries.length > MAX_METADATA_KEYS) throw invalid(`failed to parse metadata: more than ${MAX_METADATA_KEYS} keys`);
  for (const [key, value] of entries) {
    if (key !== '' && value === '') throw invalid(`failed to parse metadata: invalid value for key "${key}"`);
  }
  return out;
}

function fromJson(text: string): Record<string, string> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (!Object.values(value).every((v) => typeof v === 'string')) return undefined;
  return { ...(value as Record<string, string>) };
}

function fromPairs(text: string): Record<string, string> {
  // A Map, not an object: a key such as `__proto__` must stay a plain key.
  const out = new Map<string, string>();
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const parts = item.split('=');
    if (parts.length !== 2) throw invalid('failed to parse metadata: failed to parse the input: invalid <key,value> format');
    const key = (parts[0] as string).trim();
    const value = (parts[1] as string).trim();
    if (key === '' || value === '') {
      throw invalid(`failed to parse metadata: failed to parse the input: invalid <key,value> pair: key: "${key}" value: "${value}"`);
    }
    out.set(key, value);
  }
  return Object.fromEntries(out);
}
