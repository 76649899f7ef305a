export { CofferError, ERROR_CODES, invalidRequest, isCofferError, permissionDenied, toCofferError } from './errors.js';
export type { CofferErrorOptions, ErrorCode } from './errors.js';
export { silentLogger } from './logger.js';
export type { LogFn, Logger } from './logger.js';
export { assertValidKey, checkBatch, compareKeys, isClosable, MAX_BATCH_WRITES, nextSegments, writeBatch } from './storage.js';
export type { ClosableStorage, Storage, StorageCallOptions, StorageWrite } from './storage.js';
export { InMemoryStorage } from './memory-storage.js';
export type { Seal, SealCallOptions, SealedBlob } from './seal.js';
export { formatDuration, parseDurationSeconds } from './duration.js';
export { definePath, OPERATIONS } from './engine.js';
export type {
  AuthGrant,
  AuthInfo,
  AuthRenewal,
  Engine,
  EngineDeps,
  EngineFactory,
  Handler,
  LeaseInfo,
  LogicalRequest,
  LogicalResponse,
  MountIdentity,
  Operation,
  PathDef,
  RequestAuth,
  SecretLease,
  SystemView,
} from './engine.js';
export { isPlainObject, parseFields } from './framework/fields.js';
export type { FieldSchema, FieldType, FieldValues, Fields } from './framework/fields.js';
export { compileEngine, globMatch, routeRequest } from './framework/paths.js';
export type { CompiledEngine, RouteInput, RoutedRequest } from './framework/paths.js';
export { addressInCidrBlocks, cidrBlocksWithin, invalidCidrBlocks, parseCidrBlock } from './framework/cidr.js';
export type { CidrBlock, ParseCidrOptions } from './framework/cidr.js';
export {
  emptyTokenParams,
  equivalentPolicies,
  grantFrom,
  LEGACY_TOKEN_FIELDS,
  parseTokenParams,
  renewalFrom,
  sanitizePolicies,
  TOKEN_FIELDS,
  tokenParamsJson,
  updateTokenParams,
} from './framework/token-fields.js';
export type { GrantExtras, LegacyTokenParams, TokenParams, TokenParamsUpdate, TokenTypeSetting } from './framework/token-fields.js';
export { isHAStorage } from './ha-storage.js';
export type { HAStorage, LeaderInfo, Leadership } from './ha-storage.js';
export type { AuditSink } from './audit-sink.js';
