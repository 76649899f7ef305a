export { combineShares, splitKey } from './shamir.js';
export { createShamirSeal, generateKey } from './shamir-seal.js';
export type { AutoSeal, KeyUse } from './envelope-seal.js';
export { SEAL_FAILURE_REASONS, SealError } from './seal-error.js';
export type { SealFailureReason } from './seal-error.js';
export { SealConfigError } from './seal-config-error.js';
export type { SealConfigProblem } from './seal-config-error.js';
export { SecretValue } from './secret-value.js';
export type { SealEnvironment, SealOptions } from './option-reader.js';
export {
  SEAL_OPTIONS,
  SEAL_TYPES,
  createSeal,
  isSealType,
  parseSealConfig,
  parseShamirSealConfig,
} from './seal-factory.js';
export type { AutoSealConfig, AutoSealType, SealConfig, SealDeps, SealType, ShamirSealConfig } from './seal-factory.js';
export { AWSKMS_OPTIONS, parseAwsKmsConfig } from './awskms-config.js';
export type { AwsKmsConfig } from './awskms-config.js';
export { createAwsKmsSeal } from './awskms-seal.js';
export { AZURE_ENVIRONMENTS, AZUREKEYVAULT_OPTIONS, parseAzureKeyVaultConfig } from './azurekeyvault-config.js';
export type { AzureEnvironmentName, AzureKeyVaultConfig } from './azurekeyvault-config.js';
export { createAzureKeyVaultSeal } from './azurekeyvault-seal.js';
export { GCPCKMS_OPTIONS, parseGcpCkmsConfig } from './gcpckms-config.js';
export type { GcpCkmsConfig } from './gcpckms-config.js';
export { createGcpCkmsSeal } from './gcpckms-seal.js';
export type { GcpCkmsSealOptions } from './gcpckms-seal.js';
export { STATIC_OPTIONS, decodeStaticKey, parseStaticSealConfig } from './static-config.js';
export type { StaticKeySource, StaticSealConfig } from './static-config.js';
export { createStaticSeal } from './static-seal.js';
export { TRANSIT_OPTIONS, parseTransitSealConfig } from './transit-config.js';
export type { TransitSealConfig } from './transit-config.js';
export { createTransitSeal } from './transit-seal.js';
export type { TransitSealOptions } from './transit-seal.js';
