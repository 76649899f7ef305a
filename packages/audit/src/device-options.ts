import { CofferError, isPlainObject, parseDurationSeconds } from '@coffer/sdk';
import type { FormatOptions } from './entry-formatter.js';

export const AUDIT_DEVICE_TYPES = ['file', 'socket', 'syslog'] as const;
export type AuditDeviceType = (typeof AUDIT_DEVICE_TYPES)[number];
export type SocketType = 'tcp' | 'udp' | 'unix';

export interface CommonDeviceConfig extends FormatOptions {
  /** Written before each line's JSON (Vault's `prefix`). */
  prefix: string;
  /** `skip_test`: enable without writing a test entry first. */
  skipTest: boolean;
}

export interface FileDeviceConfig extends CommonDeviceConfig {
  type: 'file';
  /** A path, or `stdout` / `discard`. */
  filePath: string;
  /** Permission bits; 0 keeps the existing file's mode (Vault's `"0000"`). Executable bits are never set. */
  mode: number;
  /** Coffer: fdatasync each group of entries before the write resolves (default false, as Vault). */
  fsync: boolean;
  /** Coffer: hash-chain the entries and write MACed checkpoints (default true; needs the server's chain key). */
  hashChain: boolean;
  /** Coffer: a checkpoint every this many entries (default 100). */
  checkpointInterval: number;
}

export interface SocketDeviceConfig extends CommonDeviceConfig {
  type: 'socket';
  address: string;
  socketType: SocketType;
  /** Milliseconds; Vault's `write_timeout` (default 2s). 0 leaves only the broker's bound. */
  writeTimeoutMs: number;
}

export interface SyslogDeviceConfig extends CommonDeviceConfig {
  type: 'syslog';
  /** Upper-case facility name, default `AUTH`. */
  facility: string;
  tag: string;
  /** Coffer: a remote syslog receiver (`host:port`); without it, the local socket. */
  address?: string;
  /** Coffer: transport to `address`, `udp` (default) or `tcp`. */
  socketType: 'udp' | 'tcp';
  /** Coffer: the local syslog socket, default `/dev/log`. */
  socketPath: string;
  writeTimeoutMs: number;
}

export type AuditDeviceConfig = FileDeviceConfig | SocketDeviceConfig | SyslogDeviceConfig;

const COMMON_KEYS = ['format', 'prefix', 'log_raw', 'hmac_accessor', 'elide_list_responses', 'skip_test'];
const TYPE_KEYS: Record<AuditDeviceType, string[]> = {
  file: ['file_path', 'path', 'mode', 'fsync', 'hash_chain', 'checkpoint_interval'],
  socket: ['address', 'socket_type', 'write_timeout'],
  syslog: ['facility', 'tag', 'address', 'socket_type', 'socket_path', 'write_timeout'],
};

export const SYSLOG_FACILITIES: Readonly<Record<string, number>> = {
  KERN: 0, USER: 1, MAIL: 2, DAEMON: 3, AUTH: 4, SYSLOG: 5, LPR: 6, NEWS: 7, UUCP: 8, CRON: 9,
  AUTHPRIV: 10, FTP: 11, LOCAL0: 16, LOCAL1: 17, LOCAL2: 18, LOCAL3: 19, LOCAL4: 20, LOCAL5: 21,
  LOCAL6: 22, LOCAL7: 23,
};

export function isAuditDeviceType(type: string): type is AuditDeviceType {
  return (AUDIT_DEVICE_TYPES as readonly string[]).includes(type);
}

/**
 * Reads a device's options as `sys/audit` or an `audit` stanza gives them (Vault's string map;
 * booleans and numbers from HCL are accepted too). Unknown keys are refused so that a typo never
 * silently weakens auditing. Every problem is reported at once, as an `invalid_request`.
 */
export function parseDeviceOptions(type: string, options: unknown): AuditDeviceConfig {
  if (!isAuditDeviceType(type)) {
    throw new CofferError('invalid_request', `unknown audit device type "${type}" (known: ${AUDIT_DEVICE_TYPES.join(', ')})`);
  }
  const reader = new Reader(isPlainObject(options) ? options : {}, [...COMMON_KEYS, ...TYPE_KEYS[type]]);
  if (options !== undefined && !isPlainObject(options)) reader.problems.push('options must be a map of strings');
  const format = reader.string('format') ?? 'json';
  if (format === 'jsonx') reader.problems.push('format "jsonx" is not supported; use "json"');
  else if (format !== 'json') reader.problems.push(`unknown format "${format}"`);
  const common: CommonDeviceConfig = {
    prefix: reader.string('prefix') ?? '',
    raw: reader.bool('log_raw', false),
    hmacAccessor: reader.bool('hmac_accessor', true),
    elideListResponses: reader.bool('elide_list_responses', false),
    skipTest: reader.bool('skip_test', false),
  };
  const config = typed(type, reader, common);
  if (reader.problems.length) {
    throw new CofferError('invalid_request', `invalid ${type} audit options: ${reader.problems.join('; ')}`);
  }
  return config;
}

function typed(type: AuditDeviceType, reader: Reader, common: CommonDeviceConfig): AuditDeviceConfig {
  switch (type) {
    case 'file': {
      let filePath = reader.string('file_path') ?? reader.string('path') ?? '';
      if (!filePath) reader.problems.push('file_path is required');
      if (/^(stdout|discard)$/i.test(filePath)) filePath = filePath.toLowerCase();
      const interval = reader.integer('checkpoint_interval', 100);
      if (interval < 1) reader.problems.push('checkpoint_interval must be at least 1');
      return {
        ...common,
        type,
        filePath,
        mode: reader.mode('mode', 0o600),
        fsync: reader.bool('fsync', false),
        hashChain: reader.bool('hash_chain', true),
        checkpointInterval: interval,
      };
    }
    case 'socket': {
      const address = reader.string('address') ?? '';
      if (!address) reader.problems.push('address is required');
      const socketType = reader.string('socket_type') ?? 'tcp';
      if (socketType !== 'tcp' && socketType !== 'udp' && socketType !== 'unix') {
        reader.problems.push(`socket_type must be tcp, udp or unix, not "${socketType}"`);
      }
      return { ...common, type, address, socketType: socketType as SocketType, writeTimeoutMs: reader.duration('write_timeout', 2) };
    }
    case 'syslog': {
      const facility = (reader.string('facility') ?? 'AUTH').toUpperCase();
      if (SYSLOG_FACILITIES[facility] === undefined) reader.problems.push(`unknown syslog facility "${facility}"`);
      const socketType = reader.string('socket_type') ?? 'udp';
      if (socketType !== 'udp' && socketType !== 'tcp') reader.problems.push(`socket_type must be udp or tcp, not "${socketType}"`);
      const address = reader.string('address');
      return {
        ...common,
        type,
        facility,
        tag: reader.string('tag') ?? 'coffer',
        ...(address ? { address } : {}),
        socketType: socketType as 'udp' | 'tcp',
        socketPath: reader.string('socket_path') ?? '/dev/log',
        writeTimeoutMs: reader.duration('write_timeout', 2),
      };
    }
  }
}

// Go's strconv.ParseBool, which Vault uses for these options.
const TRUE_WORDS = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

class Reader {
  readonly problems: string[] = [];
  readonly #options: Record<string, unknown>;

  constructor(options: Record<string, unknown>, known: readonly string[]) {
    this.#options = options;
    for (const key of Object.keys(options)) {
      if (!known.includes(key)) this.problems.push(`unknown option "${key}" (known: ${known.join(', ')})`);
    }
  }

  string(key: string): string | undefined {
    const raw = this.#options[key];
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw === 'string') return raw;
    if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
    this.problems.push(`${key} must be a string`);
    return undefined;
  }

  bool(key: string, fallback: boolean): boolean {
    const text = this.string(key);
    if (text === undefined || text === '') return fallback;
    if (TRUE_WORDS.has(text)) return true;
    if (FALSE_WORDS.has(text)) return false;
    this.problems.push(`${key} must be a boolean, not "${text}"`);
    return fallback;
  }

  integer(key: string, fallback: number): number {
    const text = this.string(key);
    if (text === undefined || text === '') return fallback;
    if (!/^\d+$/.test(text)) {
      this.problems.push(`${key} must be a whole number`);
      return fallback;
    }
    return Number(text);
  }

  /** An octal mode as Vault parses it (`"0600"`, `"644"`); executable bits are stripped (OpenBao 2.4, CVE-2025-6000). */
  mode(key: string, fallback: number): number {
    const text = this.string(key);
    if (text === undefined || text === '') return fallback;
    if (!/^[0-7]{1,4}$/.test(text) || Number.parseInt(text, 8) > 0o777) {
      this.problems.push(`${key} must be octal permission bits such as "0600"`);
      return fallback;
    }
    return Number.parseInt(text, 8) & ~0o111;
  }

  /** Milliseconds from a Vault duration (`"2s"`, `"1m"`, bare digits are seconds); `"<n>ms"` is kept exact. */
  duration(key: string, fallbackSeconds: number): number {
    const text = this.string(key);
    if (text === undefined || text === '') return fallbackSeconds * 1000;
    const ms = /^(\d+)ms$/.exec(text);
    if (ms) return Number(ms[1]);
    try {
      return parseDurationSeconds(text, key) * 1000;
    } catch (error) {
      this.problems.push((error as Error).message);
      return fallbackSeconds * 1000;
    }
  }
}
