import type { Logger } from '@coffer/sdk';
import { AWSKMS_OPTIONS, parseAwsKmsConfig, type AwsKmsConfig } from './awskms-config.js';
import { createAwsKmsSeal } from './awskms-seal.js';
import { AZUREKEYVAULT_OPTIONS, parseAzureKeyVaultConfig, type AzureKeyVaultConfig } from './azurekeyvault-config.js';
import { createAzureKeyVaultSeal } from './azurekeyvault-seal.js';
import type { AutoSeal } from './envelope-seal.js';
import { GCPCKMS_OPTIONS, parseGcpCkmsConfig, type GcpCkmsConfig } from './gcpckms-config.js';
import { createGcpCkmsSeal, type GcpCkmsSealOptions } from './gcpckms-seal.js';
import { OptionReader, type SealEnvironment } from './option-reader.js';
import { SealConfigError } from './seal-config-error.js';
import { STATIC_OPTIONS, parseStaticSealConfig, type StaticSealConfig } from './static-config.js';
import { createStaticSeal } from './static-seal.js';
import { TRANSIT_OPTIONS, parseTransitSealConfig, type TransitSealConfig } from './transit-config.js';
import { createTransitSeal } from './transit-seal.js';

/** `seal "shamir" { disabled = "true" }` is how a migration away from Shamir is spelled; nothing else. */
export interface ShamirSealConfig {
  readonly type: 'shamir';
  readonly disabled: boolean;
}

export type AutoSealConfig = AwsKmsConfig | AzureKeyVaultConfig | GcpCkmsConfig | TransitSealConfig | StaticSealConfig;
export type SealConfig = ShamirSealConfig | AutoSealConfig;
export type SealType = SealConfig['type'];
export type AutoSealType = AutoSealConfig['type'];

/** Every seal stanza type and its options (besides `disabled`, which all accept). */
export const SEAL_OPTIONS: Readonly<Record<SealType, readonly string[]>> = Object.freeze({
  shamir: [],
  awskms: AWSKMS_OPTIONS,
  azurekeyvault: AZUREKEYVAULT_OPTIONS,
  gcpckms: GCPCKMS_OPTIONS,
  transit: TRANSIT_OPTIONS,
  static: STATIC_OPTIONS,
});

export const SEAL_TYPES = Object.keys(SEAL_OPTIONS) as SealType[];

export function isSealType(value: string): value is SealType {
  return Object.hasOwn(SEAL_OPTIONS, value);
}

export function parseShamirSealConfig(options: unknown, env: SealEnvironment = {}): ShamirSealConfig {
  const reader = new OptionReader('shamir', options, env, []);
  const disabled = reader.disabled();
  reader.finish();
  return Object.freeze({ type: 'shamir', disabled });
}

/**
 * Parses one `seal "<type>" { … }` stanza: the entry point for the server's config loader. Throws
 * a SealConfigError listing every problem (by option key, for line numbers).
 */
export function parseSealConfig(type: string, options: unknown, env: SealEnvironment = {}): SealConfig {
  switch (type) {
    case 'shamir':
      return parseShamirSealConfig(options, env);
    case 'awskms':
      return parseAwsKmsConfig(options, env);
    case 'azurekeyvault':
      return parseAzureKeyVaultConfig(options, env);
    case 'gcpckms':
      return parseGcpCkmsConfig(options, env);
    case 'transit':
      return parseTransitSealConfig(options, env);
    case 'static':
      return parseStaticSealConfig(options, env);
    default:
      throw new SealConfigError(type, [
        { key: undefined, message: `unknown seal type (supported: ${SEAL_TYPES.join(', ')})` },
      ]);
  }
}

export interface SealDeps {
  /** For background work worth a log line (transit token renewal). */
  logger?: Logger;
  /** An explicit google-auth-library client for gcpckms (see GcpCkmsSealOptions). */
  gcpAuthClient?: GcpCkmsSealOptions['authClient'];
}

/**
 * Makes the auto seal a parsed stanza describes. Nothing is contacted here, so a KMS that is down
 * does not stop the server from starting sealed: `check()`, `wrap()` and `unwrap()` reach it.
 * Files the stanza names (CA certificates, static keys) are read here.
 */
export async function createSeal(type: AutoSealType, config: AutoSealConfig, deps: SealDeps = {}): Promise<AutoSeal> {
  const given = config;
  if (given.type !== type) throw new TypeError(`createSeal: a "${given.type}" config given for a "${type}" seal`);
  switch (given.type) {
    case 'awskms':
      return createAwsKmsSeal(given);
    case 'azurekeyvault':
      return createAzureKeyVaultSeal(given);
    case 'gcpckms':
      return createGcpCkmsSeal(given, deps.gcpAuthClient ? { authClient: deps.gcpAuthClient } : {});
    case 'transit':
      return createTransitSeal(given, deps.logger ? { logger: deps.logger } : {});
    case 'static':
      return createStaticSeal(given);
  }
}
