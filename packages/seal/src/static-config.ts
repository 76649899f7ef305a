import { OptionReader, type SealEnvironment } from './option-reader.js';
import { SecretValue } from './secret-value.js';

/** Where a static key comes from: inline (the stanza or an `env://` variable) or a `file://` path read at start. */
export type StaticKeySource =
  { readonly kind: 'value'; readonly value: SecretValue } | { readonly kind: 'file'; readonly path: string };

/** `seal "static"` (OpenBao's): a 256-bit key named by an id, and optionally the previous one for rotation. */
export interface StaticSealConfig {
  readonly type: 'static';
  readonly disabled: boolean;
  readonly currentKeyId: string;
  readonly currentKey: StaticKeySource;
  readonly previousKeyId?: string;
  readonly previousKey?: StaticKeySource;
}

export const STATIC_OPTIONS = ['current_key_id', 'current_key', 'previous_key_id', 'previous_key'] as const;

const KEY_BYTES = 32;

/**
 * Decodes a static key as OpenBao does: 64 hex digits, standard base64 (44 characters) or raw
 * url-safe base64 (43). Returns undefined for anything else; the value is never echoed.
 */
export function decodeStaticKey(text: string): Buffer | undefined {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=$/.test(value)) key = Buffer.from(value, 'base64');
  else if (/^[A-Za-z0-9_-]{43}$/.test(value)) key = Buffer.from(value, 'base64url');
  return key?.length === KEY_BYTES ? key : undefined;
}

/**
 * Parses `seal "static"`. Keys may be given inline, as `env://VARIABLE` (read from `env` now) or
 * as `file:///path` (read when the seal is created). OpenBao's BAO_STATIC_SEAL_CURRENT_KEY(_ID) and
 * BAO_STATIC_SEAL_PREVIOUS_KEY(_ID) override the stanza.
 */
export function parseStaticSealConfig(options: unknown, env: SealEnvironment = {}): StaticSealConfig {
  const reader = new OptionReader('static', options, env, STATIC_OPTIONS);
  const disabled = reader.disabled();
  const currentKeyId = reader.string('current_key_id', { envFirst: ['BAO_STATIC_SEAL_CURRENT_KEY_ID'] });
  const currentRaw = reader.secret('current_key', { envFirst: ['BAO_STATIC_SEAL_CURRENT_KEY'] });
  const previousKeyId = reader.string('previous_key_id', { envFirst: ['BAO_STATIC_SEAL_PREVIOUS_KEY_ID'] });
  const previousRaw = reader.secret('previous_key', { envFirst: ['BAO_STATIC_SEAL_PREVIOUS_KEY'] });
  reader.require('current_key_id', currentKeyId, { envFirst: ['BAO_STATIC_SEAL_CURRENT_KEY_ID'] });
  reader.require('current_key', currentRaw, { envFirst: ['BAO_STATIC_SEAL_CURRENT_KEY'] });
  const currentKey = currentRaw && keySource(reader, 'current_key', currentRaw, env);
  const previousKey = previousRaw && keySource(reader, 'previous_key', previousRaw, env);
  if ((previousKeyId === undefined) !== (previousRaw === undefined)) {
    reader.problem(
      previousKeyId === undefined ? 'previous_key_id' : 'previous_key',
      '"previous_key_id" and "previous_key" go together: give both or neither',
    );
  }
  if (previousKeyId !== undefined && previousKeyId === currentKeyId) {
    reader.problem(
      'previous_key_id',
      '"previous_key_id" must differ from "current_key_id": ids name key material for good',
    );
  }
  reader.finish();
  return Object.freeze({
    type: 'static',
    disabled,
    currentKeyId: currentKeyId as string,
    currentKey: currentKey as StaticKeySource,
    ...(previousKeyId === undefined || previousKey === undefined ? {} : { previousKeyId, previousKey }),
  });
}

function keySource(
  reader: OptionReader,
  key: string,
  raw: SecretValue,
  env: SealEnvironment,
): StaticKeySource | undefined {
  const text = raw.reveal();
  if (text.startsWith('env://')) {
    const name = text.slice('env://'.length);
    const value = env[name]?.trim();
    if (!value) {
      reader.problem(key, `"${key}" names environment variable ${name}, which is not set`);
      return undefined;
    }
    return inline(reader, key, value, `environment variable ${name}`);
  }
  if (text.startsWith('file://')) {
    const path = text.slice('file://'.length);
    if (!path.startsWith('/')) {
      reader.problem(key, `"${key}" must name an absolute path: file:///path/to/key`);
      return undefined;
    }
    return { kind: 'file', path };
  }
  return inline(reader, key, text, `"${key}"`);
}

function inline(reader: OptionReader, key: string, text: string, what: string): StaticKeySource | undefined {
  if (!decodeStaticKey(text)) {
    reader.problem(key, `${what} must be a 256-bit key: 64 hex digits or 32 bytes in base64`);
    return undefined;
  }
  return { kind: 'value', value: new SecretValue(text.trim()) };
}
