import { CofferError, type AuditSink, type Logger } from '@coffer/sdk';
import type { AuditLogInput } from './audit-input.js';
import { DeviceHealth, type AuditDeviceStats } from './device-health.js';
import { parseDeviceOptions, type AuditDeviceConfig } from './device-options.js';
import { formatRequestEntry, formatResponseEntry } from './entry-formatter.js';
import { encodeAuditLine } from './json-line.js';
import { createNanoClock, formatRfc3339Nano } from './rfc3339.js';
import { createAuditSalt, hashValue, type AuditSalt } from './salt.js';
import { SharedDeadlines } from './shared-deadlines.js';

/** An enabled audit device, as the server keeps it: where it is mounted, how, its salt and its sink. */
export interface AuditDevice {
  /** The mount path, e.g. `file/`. */
  readonly path: string;
  readonly type: string;
  /** The options as given (sys/audit lists them back). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly salt: AuditSalt;
  readonly sink: AuditSink;
}

export interface AuditBrokerOptions {
  logger: Logger;
  /** Bound on each device's write, in ms (default 5000); a device's larger `write_timeout` wins. */
  deviceTimeoutMs?: number;
  /** During a burst of failures, at most one log line per device per this many ms (default 10000). */
  failureLogIntervalMs?: number;
  /** Epoch nanoseconds for entry times. */
  now?: () => bigint;
  /** Epoch milliseconds for the failure log's rate limit. */
  clock?: () => number;
}

export interface AuditBrokerStats {
  devices: AuditDeviceStats[];
  /** Requests and responses refused because no device recorded them. */
  refused: { request: number; response: number };
}

export interface LogOptions {
  /** Bounds every device's write in addition to its own timeout. */
  signal?: AbortSignal;
}

export interface AuditBroker {
  readonly size: number;
  /** Registers a device; its options are validated here (`invalid_request`). */
  addDevice(device: AuditDevice): void;
  /** Unregisters the device, then closes its sink once its queued entries are written. */
  removeDevice(path: string): Promise<boolean>;
  device(path: string): AuditDevice | undefined;
  devices(): AuditDevice[];
  logRequest(input: AuditLogInput, options?: LogOptions): Promise<void>;
  logResponse(input: AuditLogInput, options?: LogOptions): Promise<void>;
  /** `sys/audit-hash/<path>`: the HMAC of `input` under the device's salt. */
  hash(path: string, input: string): string;
  /** Writes Vault's test entry (`sys/audit/test`, throwaway salt) to a device not yet added. */
  probe(device: AuditDevice, options?: LogOptions): Promise<void>;
  /**
   * Resolves once every device write started so far has finished or failed. A log call returns at
   * the first success, so slower devices may still be writing; shutdown and tests wait here.
   */
  idle(): Promise<void>;
  /** SIGHUP: reopens every sink that can; resolves with the devices that failed. */
  reopen(): Promise<{ path: string; error: Error }[]>;
  stats(): AuditBrokerStats;
  close(): Promise<void>;
}

interface Registered {
  device: AuditDevice;
  config: AuditDeviceConfig;
  timeoutMs: number;
}

type Kind = 'request' | 'response';

/** A write given up because the device took longer than its bound. */
class DeviceTimeoutError extends Error {
  override readonly name = 'DeviceTimeoutError';
}

/**
 * Sends every entry to every device at once, each under its own deadline, and succeeds as soon as
 * one device has it: a slow or hung device never delays a request, and the others carry on. With no
 * device nothing is required; with devices and none succeeding the caller gets `internal` (500,
 * "internal error") and must refuse the request or withhold the response (fail closed).
 */
export function createAuditBroker(options: AuditBrokerOptions): AuditBroker {
  const logger = options.logger;
  const defaultTimeoutMs = options.deviceTimeoutMs ?? 5000;
  const now = options.now ?? createNanoClock();
  const health = new DeviceHealth(logger, options.failureLogIntervalMs ?? 10_000, options.clock ?? Date.now);
  const registered = new Map<string, Registered>();
  const refused = { request: 0, response: 0 };
  const inFlight = new Set<Promise<unknown>>();
  const deadlines = new SharedDeadlines((ms) => new DeviceTimeoutError(`timed out: no answer within ${ms} ms`));

  const normalise = (path: string) => (path.endsWith('/') ? path : `${path}/`);

  function register(device: AuditDevice): Registered {
    const config = parseDeviceOptions(device.type, device.options);
    const own = 'writeTimeoutMs' in config ? config.writeTimeoutMs : 0;
    return { device, config, timeoutMs: Math.max(defaultTimeoutMs, own) };
  }

  async function writeTo(
    entry: Registered,
    kind: Kind,
    input: AuditLogInput,
    time: string,
    salt: AuditSalt,
    caller?: AbortSignal,
  ): Promise<void> {
    const { config, device, timeoutMs } = entry;
    const context = { ...config, salt, time };
    const formatted = kind === 'request' ? formatRequestEntry(input, context) : formatResponseEntry(input, context);
    const line = encodeAuditLine(formatted, config.prefix);
    const deadline = deadlines.signal(timeoutMs);
    const signal = caller ? AbortSignal.any([deadline, caller]) : deadline;
    await device.sink.write(line, { signal });
  }

  async function idle(): Promise<void> {
    while (inFlight.size) await Promise.all([...inFlight]);
  }

  async function removeDevice(path: string): Promise<boolean> {
    const key = normalise(path);
    const entry = registered.get(key);
    if (!entry) return false;
    registered.delete(key);
    health.forget(key);
    await entry.device.sink.close();
    return true;
  }

  async function log(kind: Kind, input: AuditLogInput, options: LogOptions = {}): Promise<void> {
    if (registered.size === 0) return;
    const time = formatRfc3339Nano(now());
    const attempts = [...registered.entries()].map(async ([path, entry]) => {
      try {
        await writeTo(entry, kind, input, time, entry.device.salt, options.signal);
        health.success(path);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        // The broker's deadline or the sink's own write_timeout: both mean a stuck receiver.
        const timedOut = error instanceof DeviceTimeoutError || (error instanceof Error && error.name === 'TransportTimeoutError');
        health.failure(path, reason, timedOut);
        throw new Error(`${path}: ${reason}`, { cause: error });
      }
    });
    for (const attempt of attempts) {
      const tracked = attempt.catch(() => {});
      inFlight.add(tracked);
      void tracked.then(() => inFlight.delete(tracked));
    }
    try {
      await Promise.any(attempts);
      health.accepted(kind);
    } catch (error) {
      refused[kind] += 1;
      const reasons = error instanceof AggregateError ? error.errors.map((e: unknown) => (e as Error).message) : [String(error)];
      health.refused(kind, reasons);
      throw new CofferError('internal', 'internal error', {
        cause: new AggregateError(reasons, `no audit device succeeded in logging the ${kind}`),
      });
    }
  }

  return {
    get size() {
      return registered.size;
    },
    addDevice(device) {
      const path = normalise(device.path);
      if (registered.has(path)) throw new CofferError('invalid_request', `an audit device is already enabled at "${path}"`);
      registered.set(path, register(device));
      health.track(path, device.type);
    },
    removeDevice,
    device: (path) => registered.get(normalise(path))?.device,
    devices: () => [...registered.values()].map((entry) => entry.device),
    logRequest: (input, options) => log('request', input, options),
    logResponse: (input, options) => log('response', input, options),
    hash(path, input) {
      const entry = registered.get(normalise(path));
      if (!entry) throw new CofferError('invalid_request', `unknown audit backend "${normalise(path)}"`);
      return hashValue(entry.device.salt, input);
    },
    async probe(device, options = {}) {
      const entry = register(device);
      const input: AuditLogInput = { request: { id: '', operation: 'update', path: 'sys/audit/test' } };
      await writeTo(entry, 'request', input, formatRfc3339Nano(now()), createAuditSalt(), options.signal);
    },
    idle,
    async reopen() {
      const failures: { path: string; error: Error }[] = [];
      await Promise.all(
        [...registered.entries()].map(async ([path, { device }]) => {
          if (!device.sink.reopen) return;
          try {
            await device.sink.reopen();
          } catch (error) {
            const failure = error instanceof Error ? error : new Error(String(error));
            logger.error({ device: path, type: device.type, reason: failure.message }, 'audit device could not reopen');
            failures.push({ path, error: failure });
          }
        }),
      );
      return failures;
    },
    stats: () => ({ devices: health.snapshot(), refused: { ...refused } }),
    async close() {
      await idle();
      await Promise.allSettled([...registered.keys()].map((path) => removeDevice(path)));
    },
  };
}
