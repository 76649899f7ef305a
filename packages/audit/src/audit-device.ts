import type { AuditSink } from '@coffer/sdk';
import type { AuditDevice } from './audit-broker.js';
import { DiscardSink, StdoutSink } from './console-sink.js';
import { parseDeviceOptions, type AuditDeviceConfig } from './device-options.js';
import { FileSink } from './file-sink.js';
import { createAuditSalt, type AuditSalt } from './salt.js';
import { SocketSink } from './socket-sink.js';
import { SyslogSink } from './syslog-sink.js';

export interface SinkDeps {
  /** The checkpoint key for hash-chained files (behind the barrier). Without it files are not chained. */
  chainKey?: Uint8Array | undefined;
  /** Epoch nanoseconds, for checkpoint and syslog times. */
  now?: () => bigint;
}

export interface OpenAuditDeviceOptions extends SinkDeps {
  /** The mount path, e.g. `file/`. */
  path: string;
  type: string;
  /** As given to sys/audit or in the `audit` stanza's `options`. */
  options: Readonly<Record<string, unknown>>;
  /** The device's salt from storage; a new one (Vault's UUID format) when absent. */
  salt?: AuditSalt;
}

/**
 * Validates a device's options and opens its sink, ready for `broker.addDevice`. A file device
 * opens its file here, so a path that cannot be written is refused when the device is enabled,
 * not at the first request (OpenBao does the same).
 */
export async function openAuditDevice(options: OpenAuditDeviceOptions): Promise<AuditDevice> {
  const config = parseDeviceOptions(options.type, options.options);
  const sink = await createAuditSink(config, options);
  return {
    path: options.path.endsWith('/') ? options.path : `${options.path}/`,
    type: config.type,
    options: { ...options.options },
    salt: options.salt ?? createAuditSalt(),
    sink,
  };
}

export async function createAuditSink(config: AuditDeviceConfig, deps: SinkDeps = {}): Promise<AuditSink> {
  switch (config.type) {
    case 'file':
      if (config.filePath === 'stdout') return new StdoutSink();
      if (config.filePath === 'discard') return new DiscardSink();
      return FileSink.open({
        path: config.filePath,
        mode: config.mode,
        fsync: config.fsync,
        chain:
          config.hashChain && deps.chainKey
            ? {
                key: deps.chainKey,
                checkpointInterval: config.checkpointInterval,
                prefix: config.prefix,
                ...(deps.now ? { now: deps.now } : {}),
              }
            : undefined,
      });
    case 'socket':
      return new SocketSink({ address: config.address, socketType: config.socketType, writeTimeoutMs: config.writeTimeoutMs });
    case 'syslog':
      return new SyslogSink({
        facility: config.facility,
        tag: config.tag,
        address: config.address,
        socketType: config.socketType,
        socketPath: config.socketPath,
        writeTimeoutMs: config.writeTimeoutMs,
        ...(deps.now ? { now: deps.now } : {}),
      });
  }
}
