import { randomBytes } from 'node:crypto';
import {
  createAuditBroker,
  createAuditSalt,
  openAuditDevice,
  parseDeviceOptions,
  type AuditBroker,
  type AuditDevice,
  type AuditLogInput,
} from '@coffer/audit';
import { CofferError, type AuditSink, type Logger, type Storage } from '@coffer/sdk';

/** An audit device as declared in the config or enabled through sys/audit. */
export interface AuditDeviceSpec {
  /** With trailing slash, e.g. `file/`. */
  path: string;
  type: string;
  description: string;
  options: Record<string, unknown>;
  local: boolean;
  /** Who enabled it: the server config, or the API (sys/audit). */
  source: 'config' | 'api';
}

const TABLE_PATH = 'core/audit/devices';
const CHAIN_KEY_PATH = 'core/audit/chain-key';
const saltPath = (path: string) => `core/audit/salt/${path.replace(/\/$/, '')}`;

/**
 * The audit devices of an active node and the broker that writes to them. Salts (per device) and
 * the hash-chain key live behind the barrier; devices declared in the config are always there,
 * devices enabled through the API are kept in a table. A device whose sink cannot be opened is
 * still registered and fails its writes (so requests fail closed unless another device works),
 * retrying the open on later writes.
 */
export class AuditManager {
  readonly #storage: Storage;
  readonly #broker: AuditBroker;
  readonly #logger: Logger;
  readonly #allowApi: boolean;
  readonly #chainKey: Buffer;
  readonly #specs = new Map<string, AuditDeviceSpec>();

  private constructor(storage: Storage, broker: AuditBroker, logger: Logger, allowApi: boolean, chainKey: Buffer) {
    this.#storage = storage;
    this.#broker = broker;
    this.#logger = logger;
    this.#allowApi = allowApi;
    this.#chainKey = chainKey;
  }

  static async start(deps: { storage: Storage; logger: Logger; configDevices: readonly AuditDeviceSpec[]; allowApi: boolean }): Promise<AuditManager> {
    const logger = deps.logger.child({ component: 'audit' });
    let chainKey = await deps.storage.get(CHAIN_KEY_PATH);
    if (!chainKey) {
      chainKey = randomBytes(32);
      await deps.storage.put(CHAIN_KEY_PATH, chainKey);
    }
    const manager = new AuditManager(deps.storage, createAuditBroker({ logger }), logger, deps.allowApi, Buffer.from(chainKey));
    const stored = await manager.#readTable();
    for (const spec of [...deps.configDevices, ...stored.filter((s) => !deps.configDevices.some((c) => c.path === s.path))]) {
      await manager.#add(spec, false);
    }
    return manager;
  }

  get deviceCount(): number {
    return this.#broker.size;
  }

  list(): AuditDeviceSpec[] {
    return [...this.#specs.values()];
  }

  /** sys/audit/<path> (sudo): enables a device, after writing a test entry unless `skip_test`. */
  async enable(spec: Omit<AuditDeviceSpec, 'source'>, skipTest: boolean): Promise<void> {
    if (!this.#allowApi) {
      throw new CofferError('invalid_request', 'audit devices can only be declared in the server configuration (unsafe_allow_api_audit_creation is false)');
    }
    if (this.#specs.has(spec.path)) throw new CofferError('invalid_request', `path already in use: ${spec.path}`);
    parseDeviceOptions(spec.type, spec.options);
    const filePath = spec.options.file_path;
    // Pseudo-filesystems are never a log destination, and Node's mkdir can hang on them forever.
    if (typeof filePath === 'string' && /^\/(proc|sys)(\/|$)/.test(filePath)) {
      throw new CofferError('invalid_request', `cannot enable audit device ${spec.path}: ${filePath} is on a pseudo-filesystem`);
    }
    const full: AuditDeviceSpec = { ...spec, source: 'api' };
    await this.#add(full, !skipTest);
    await this.#writeTable();
  }

  async disable(path: string): Promise<void> {
    const spec = this.#specs.get(path);
    if (!spec) return;
    if (spec.source === 'config') throw new CofferError('invalid_request', `audit device ${path} is declared in the server configuration`);
    await this.#broker.removeDevice(path);
    this.#specs.delete(path);
    await this.#writeTable();
    // Re-enabling later makes a new salt, as Vault does.
    await this.#storage.delete(saltPath(path));
  }

  hash(path: string, input: string): string {
    if (!this.#broker.device(path)) throw new CofferError('invalid_request', `no audit device at ${path}`);
    return this.#broker.hash(path, input);
  }

  /** The key that MACs the file sinks' checkpoints (sys/audit-chain/key, sudo), for `coffer audit verify`. */
  chainKey(): Buffer {
    return Buffer.from(this.#chainKey);
  }

  logRequest(input: AuditLogInput): Promise<void> {
    return this.#broker.logRequest(input);
  }

  logResponse(input: AuditLogInput): Promise<void> {
    return this.#broker.logResponse(input);
  }

  /** Failed writes per device, for the metrics. */
  failures(): { device: string; failures: number }[] {
    return this.#broker.stats().devices.map((d) => ({ device: d.path, failures: d.failures }));
  }

  async reopen(): Promise<void> {
    for (const failure of await this.#broker.reopen()) {
      this.#logger.error({ device: failure.path, reason: failure.error.message }, 'audit device could not reopen its file');
    }
  }

  close(): Promise<void> {
    return this.#broker.close();
  }

  async #add(spec: AuditDeviceSpec, probe: boolean): Promise<void> {
    const salt = await this.#salt(spec.path);
    const open = () =>
      withTimeout(openAuditDevice({ path: spec.path, type: spec.type, options: spec.options, salt, chainKey: this.#chainKey }), OPEN_TIMEOUT_MS, `opening audit device ${spec.path} timed out`);
    let device: AuditDevice;
    try {
      device = await open();
    } catch (error) {
      if (spec.source === 'api') throw new CofferError('invalid_request', `cannot enable audit device ${spec.path}: ${(error as Error).message}`);
      this.#logger.error({ device: spec.path, reason: (error as Error).message }, 'audit device cannot be opened; requests fail closed unless another device works');
      device = { path: spec.path, type: spec.type, options: spec.options, salt, sink: new ReopeningSink(spec.type, async () => (await open()).sink) };
    }
    if (probe) {
      try {
        await this.#broker.probe(device);
      } catch (error) {
        await device.sink.close().catch(() => undefined);
        throw new CofferError('invalid_request', `audit device ${spec.path} failed its test write: ${(error as Error).message}`);
      }
    }
    this.#broker.addDevice(device);
    this.#specs.set(spec.path, spec);
  }

  async #salt(path: string): Promise<string> {
    const raw = await this.#storage.get(saltPath(path));
    if (raw) return Buffer.from(raw).toString('utf8');
    const salt = createAuditSalt();
    await this.#storage.put(saltPath(path), Buffer.from(salt, 'utf8'));
    return salt;
  }

  async #readTable(): Promise<AuditDeviceSpec[]> {
    const raw = await this.#storage.get(TABLE_PATH);
    return raw ? (JSON.parse(Buffer.from(raw).toString('utf8')) as AuditDeviceSpec[]) : [];
  }

  async #writeTable(): Promise<void> {
    const api = [...this.#specs.values()].filter((s) => s.source === 'api');
    await this.#storage.put(TABLE_PATH, Buffer.from(JSON.stringify(api), 'utf8'));
  }
}

/** Opening a device (a file on a hung NFS mount, a socket) must not hang the request that enables it. */
const OPEN_TIMEOUT_MS = 10_000;

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** A sink that could not be opened: every write tries to open it again, and fails while it cannot. */
class ReopeningSink implements AuditSink {
  readonly type: string;
  readonly #open: () => Promise<AuditSink>;
  #inner: AuditSink | undefined;

  constructor(type: string, open: () => Promise<AuditSink>) {
    this.type = type;
    this.#open = open;
  }

  async write(line: string, options: { signal: AbortSignal }): Promise<void> {
    this.#inner ??= await this.#open();
    await this.#inner.write(line, options);
  }

  async reopen(): Promise<void> {
    await this.#inner?.reopen?.();
  }

  async close(): Promise<void> {
    await this.#inner?.close();
  }
}
