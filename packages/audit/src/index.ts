export { createAuditBroker } from './audit-broker.js';
export type { AuditBroker, AuditBrokerOptions, AuditBrokerStats, AuditDevice, LogOptions } from './audit-broker.js';
export { createAuditSink, openAuditDevice } from './audit-device.js';
export type { OpenAuditDeviceOptions, SinkDeps } from './audit-device.js';
export type {
  AuditAuthInput,
  AuditLogInput,
  AuditPolicyResultsInput,
  AuditRequestInput,
  AuditResponseInput,
  AuditWrapInfoInput,
} from './audit-input.js';
export type {
  AuditAuthEntry,
  AuditEntry,
  AuditRequestEntry,
  AuditRequestEntryBody,
  AuditResponseEntry,
  AuditResponseEntryBody,
} from './audit-entry.js';
export { verifyAuditLog } from './chain-verifier.js';
export type { VerifyAuditLogOptions, VerifyAuditLogResult } from './chain-verifier.js';
export { DiscardSink, StdoutSink } from './console-sink.js';
export type { AuditDeviceStats } from './device-health.js';
export { AUDIT_DEVICE_TYPES, isAuditDeviceType, parseDeviceOptions, SYSLOG_FACILITIES } from './device-options.js';
export type {
  AuditDeviceConfig,
  AuditDeviceType,
  CommonDeviceConfig,
  FileDeviceConfig,
  SocketDeviceConfig,
  SyslogDeviceConfig,
} from './device-options.js';
export { formatRequestEntry, formatResponseEntry } from './entry-formatter.js';
export type { FormatContext, FormatOptions } from './entry-formatter.js';
export { FileSink } from './file-sink.js';
export type { FileSinkChainOptions, FileSinkOptions } from './file-sink.js';
export { copyAuditData } from './hash-data.js';
export type { CopyDataOptions } from './hash-data.js';
export { CHAIN_GENESIS, HashChain, lineHash, parseChainLink } from './hash-chain.js';
export type { ChainHead, ChainLink, CheckpointReason } from './hash-chain.js';
export { encodeAuditLine, goJson } from './json-line.js';
export { createNanoClock, formatRfc3339Nano } from './rfc3339.js';
export { createAuditSalt, hashValue, HMAC_PREFIX } from './salt.js';
export type { AuditSalt } from './salt.js';
export { SocketSink } from './socket-sink.js';
export type { SocketSinkOptions } from './socket-sink.js';
export { SyslogSink } from './syslog-sink.js';
export type { SyslogSinkOptions } from './syslog-sink.js';
export { formatSyslogMessage } from './syslog-format.js';
