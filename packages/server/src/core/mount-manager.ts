import {
  CofferError,
  compileEngine,
  type CompiledEngine,
  type EngineFactory,
  type Logger,
  type Storage,
} from '@coffer/sdk';
import { newMountAccessor, newUuid } from './ids.js';
import {
  assertNoConflict,
  loadMountTable,
  normaliseMountPath,
  saveMountTable,
  storagePrefix,
  type MountConfig,
  type MountEntry,
  type MountTableName,
} from './mount-table.js';
import { deleteTree, PrefixedStorage } from './storage-view.js';

export interface EngineRegistry {
  /** Factories by mount type, per table. */
  readonly mounts: ReadonlyMap<string, EngineFactory>;
  readonly auth: ReadonlyMap<string, EngineFactory>;
  /** Types that exist once, mounted by the core itself (sys, token): never through the API. */
  readonly singletons: ReadonlySet<string>;
}

export interface MountRequest {
  type: string;
  description?: string;
  config?: Partial<MountConfig>;
  options?: Record<string, string>;
  local?: boolean;
  seal_wrap?: boolean;
}

export interface Route {
  table: MountTableName;
  entry: MountEntry;
  engine: CompiledEngine;
  /** The full mount point as clients see it: `secret/`, `auth/token/`. */
  mountPoint: string;
  /** The request path below the mount. */
  path: string;
}

interface Mounted {
  entry: MountEntry;
  engine: CompiledEngine;
}

export interface MountManagerDeps {
  barrier: Storage;
  registry: EngineRegistry;
  logger: Logger;
  now: () => Date;
  systemDefaultLeaseTtl: number;
  systemMaxLeaseTtl: number;
  /** Runs before a mount goes away: its leases are revoked (e.g. `revoke-prefix` of the mount point). */
  beforeUnmount?(mountPoint: string): Promise<void>;
}

/** Mounts and unmounts engines, keeps both tables persisted, and routes paths to engines. */
export class MountManager {
  readonly #deps: MountManagerDeps;
  readonly #tables: Record<MountTableName, Mounted[]> = { mounts: [], auth: [] };
  /** Mount points longest first, so the first prefix that matches is the longest. */
  #routes: { mountPoint: string; table: MountTableName; mounted: Mounted }[] = [];
  #lock: Promise<unknown> = Promise.resolve();

  constructor(deps: MountManagerDeps) {
    this.#deps = deps;
  }

  /** Loads both tables, or creates them with the given defaults on first unseal. */
  async load(defaults: Record<MountTableName, (MountRequest & { path: string })[]>): Promise<void> {
    for (const table of ['mounts', 'auth'] as const) {
      let entries = await loadMountTable(this.#deps.barrier, table);
      // Built-in mounts (sys, token, cubbyhole) exist in every table, also in one written before
      // a built-in was added.
      const missing = defaults[table].filter(
        (d) => this.#deps.registry.singletons.has(d.type) && !entries?.some((e) => e.type === d.type),
      );
      if (!entries || missing.length) {
        entries = entries ? [...entries, ...missing.map((d) => this.#newEntry(d.path, d))] : defaults[table].map((d) => this.#newEntry(d.path, d));
        await saveMountTable(this.#deps.barrier, table, entries);
      }
      this.#tables[table] = [];
      for (const entry of entries) this.#tables[table].push(await this.#instantiate(table, entry));
    }
    this.#rebuildRoutes();
  }

  list(table: MountTableName): MountEntry[] {
    return this.#tables[table].map((m) => m.entry);
  }

  find(table: MountTableName, path: string): MountEntry | undefined {
    const normalised = normaliseMountPath(path);
    return this.#tables[table].find((m) => m.entry.path === normalised)?.entry;
  }

  /** The mount with this accessor, with its full mount point (leases and tokens name mounts by accessor). */
  byAccessor(accessor: string): Omit<Route, 'path'> | undefined {
    const found = this.#routes.find((r) => r.mounted.entry.accessor === accessor);
    return found && { table: found.table, entry: found.mounted.entry, engine: found.mounted.engine, mountPoint: found.mountPoint };
  }

  route(path: string): Route | undefined {
    for (const { mountPoint, table, mounted } of this.#routes) {
      if (path.startsWith(mountPoint)) {
        return { table, entry: mounted.entry, engine: mounted.engine, mountPoint, path: path.slice(mountPoint.length) };
      }
    }
    return undefined;
  }

  /** The effective TTLs of a mount: its tuned values, or the system's. */
  leaseTtls(entry: MountEntry): { defaultLeaseTtl: number; maxLeaseTtl: number } {
    const max = entry.config.max_lease_ttl || this.#deps.systemMaxLeaseTtl;
    const def = entry.config.default_lease_ttl || this.#deps.systemDefaultLeaseTtl;
    return { defaultLeaseTtl: Math.min(def, max), maxLeaseTtl: max };
  }

  mount(table: MountTableName, rawPath: string, request: MountRequest): Promise<MountEntry> {
    return this.#serial(async () => {
      const path = normaliseMountPath(rawPath);
      const factories = this.#deps.registry[table];
      if (!factories.has(request.type) || this.#deps.registry.singletons.has(request.type)) {
        const kind = table === 'auth' ? 'auth method' : 'secrets engine';
        throw new CofferError('invalid_request', `${kind} type "${request.type}" is not supported`);
      }
      const label = table === 'auth' ? 'auth/' : '';
      if (table === 'mounts') assertReservedPaths(path);
      assertNoConflict(this.list(table), path, label);
      const entry = this.#newEntry(path, request);
      const mounted = await this.#instantiate(table, entry);
      await saveMountTable(this.#deps.barrier, table, [...this.list(table), entry]);
      this.#tables[table].push(mounted);
      this.#rebuildRoutes();
      this.#deps.logger.info({ table, path, type: entry.type }, 'mounted');
      return entry;
    });
  }

  unmount(table: MountTableName, rawPath: string): Promise<void> {
    return this.#serial(async () => {
      const path = normaliseMountPath(rawPath);
      const index = this.#tables[table].findIndex((m) => m.entry.path === path);
      // Vault answers 204 for unmounting nothing: the end state is what the caller asked for.
      if (index === -1) return;
      const mounted = this.#tables[table][index] as Mounted;
      if (this.#deps.registry.singletons.has(mounted.entry.type) || mounted.entry.type === 'cubbyhole') {
        throw new CofferError('invalid_request', `cannot unmount "${path}"`);
      }
      await this.#deps.beforeUnmount?.(table === 'auth' ? `auth/${path}` : path);
      const remaining = this.list(table).filter((e) => e.path !== path);
      await saveMountTable(this.#deps.barrier, table, remaining);
      this.#tables[table].splice(index, 1);
      this.#rebuildRoutes();
      await mounted.engine.engine.cleanup?.();
      await deleteTree(this.#deps.barrier, storagePrefix(table, mounted.entry));
      this.#deps.logger.info({ table, path }, 'unmounted');
    });
  }

  tune(table: MountTableName, rawPath: string, update: Partial<MountConfig> & { description?: string }): Promise<MountEntry> {
    return this.#serial(async () => {
      const path = normaliseMountPath(rawPath);
      const mounted = this.#tables[table].find((m) => m.entry.path === path);
      if (!mounted) throw new CofferError('invalid_request', `no mount at "${path}"`);
      const { description, ...config } = update;
      const next: MountEntry = {
        ...mounted.entry,
        ...(description !== undefined ? { description } : {}),
        config: { ...mounted.entry.config, ...config },
      };
      validateTtls(next.config, this.#deps.systemMaxLeaseTtl);
      await saveMountTable(
        this.#deps.barrier,
        table,
        this.list(table).map((e) => (e.path === path ? next : e)),
      );
      mounted.entry = next;
      return next;
    });
  }

  /** Runs every engine's periodic work (tidying expired secret IDs and the like); failures are logged. */
  async runPeriodic(): Promise<void> {
    for (const { mounted, mountPoint } of this.#routes) {
      try {
        await mounted.engine.engine.periodic?.();
      } catch (error) {
        this.#deps.logger.warn({ mount: mountPoint, err: error }, 'periodic work failed');
      }
    }
  }

  async cleanupAll(): Promise<void> {
    for (const table of ['mounts', 'auth'] as const) {
      for (const m of this.#tables[table]) await m.engine.engine.cleanup?.().catch(() => undefined);
    }
  }

  #newEntry(path: string, request: MountRequest): MountEntry {
    const config: MountConfig = {
      default_lease_ttl: request.config?.default_lease_ttl ?? 0,
      max_lease_ttl: request.config?.max_lease_ttl ?? 0,
      force_no_cache: request.config?.force_no_cache ?? false,
      ...pickDefined(request.config ?? {}),
    };
    validateTtls(config, this.#deps.systemMaxLeaseTtl);
    return {
      path,
      type: request.type,
      description: request.description ?? '',
      uuid: newUuid(),
      accessor: newMountAccessor(request.type === 'kv' ? 'kv' : request.type),
      config,
      options: request.options ?? {},
      local: request.local ?? false,
      seal_wrap: request.seal_wrap ?? false,
      external_entropy_access: false,
    };
  }

  async #instantiate(table: MountTableName, entry: MountEntry): Promise<Mounted> {
    const factory = this.#deps.registry[table].get(entry.type);
    if (!factory) throw new CofferError('internal', `no engine for mount type "${entry.type}"`);
    const mounted: Mounted = { entry, engine: undefined as unknown as CompiledEngine };
    const engine = await factory({
      storage: new PrefixedStorage(this.#deps.barrier, storagePrefix(table, entry)),
      logger: this.#deps.logger.child({ mount: entry.path, type: entry.type }),
      mount: { path: entry.path, type: entry.type, uuid: entry.uuid, accessor: entry.accessor, options: entry.options },
      system: {
        // Read through `mounted` so tuning takes effect without re-creating the engine.
        defaultLeaseTtl: () => this.leaseTtls(mounted.entry).defaultLeaseTtl,
        maxLeaseTtl: () => this.leaseTtls(mounted.entry).maxLeaseTtl,
        now: this.#deps.now,
      },
    });
    await engine.setup?.();
    mounted.engine = compileEngine(engine);
    return mounted;
  }

  #rebuildRoutes(): void {
    this.#routes = (['mounts', 'auth'] as const)
      .flatMap((table) =>
        this.#tables[table].map((mounted) => ({
          table,
          mounted,
          mountPoint: table === 'auth' ? `auth/${mounted.entry.path}` : mounted.entry.path,
        })),
      )
      .sort((a, b) => b.mountPoint.length - a.mountPoint.length);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(work);
    this.#lock = run.catch(() => undefined);
    return run;
  }
}

const RESERVED = ['sys/', 'auth/', 'cubbyhole/', 'identity/'];

function assertReservedPaths(path: string): void {
  for (const reserved of RESERVED) {
    if (path.startsWith(reserved) || reserved.startsWith(path)) {
      throw new CofferError('invalid_request', `cannot mount at "${path}": "${reserved}" is reserved`);
    }
  }
}

function validateTtls(config: MountConfig, systemMax: number): void {
  const max = config.max_lease_ttl || systemMax;
  if (config.max_lease_ttl > systemMax) {
    throw new CofferError('invalid_request', 'max_lease_ttl exceeds the system max lease TTL');
  }
  if (config.default_lease_ttl > max) {
    throw new CofferError('invalid_request', 'default_lease_ttl exceeds the max lease TTL');
  }
}

function pickDefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
