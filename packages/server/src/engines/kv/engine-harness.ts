import { randomUUID } from 'node:crypto';
import {
  compileEngine,
  InMemoryStorage,
  routeRequest,
  silentLogger,
  type CompiledEngine,
  type EngineFactory,
  type LogicalResponse,
  type Operation,
  type RoutedRequest,
} from '@coffer/sdk';

/**
 * Drives an engine exactly as the server's router does (compileEngine + routeRequest, then the
 * handler), over in-memory storage and a clock the test moves. Not a mock: the routing, field
 * parsing and create/update decision are the real ones. Test-only.
 */
export interface EngineHarness {
  readonly storage: InMemoryStorage;
  readonly clock: TestClock;
  /** `write` is a POST/PUT: the path's existence check settles `create` or `update`. */
  call(operation: HarnessOperation, path: string, data?: Record<string, unknown>): Promise<LogicalResponse | undefined>;
  route(operation: HarnessOperation, path: string, data?: Record<string, unknown>): Promise<RoutedRequest>;
}

export type HarnessOperation = Exclude<Operation, 'create' | 'update'> | 'write';

export interface TestClock {
  now(): Date;
  /** Moves time forward by whole or fractional seconds. */
  advance(seconds: number): void;
}

export interface HarnessOptions {
  mountOptions?: Record<string, string>;
  defaultLeaseTtl?: number;
  storage?: InMemoryStorage;
}

export async function createEngineHarness(factory: EngineFactory, options: HarnessOptions = {}): Promise<EngineHarness> {
  const storage = options.storage ?? new InMemoryStorage();
  let nowMs = Date.parse('2024-05-01T10:00:00.123Z');
  const clock: TestClock = {
    now: () => new Date(nowMs),
    advance: (seconds) => {
      nowMs += Math.round(seconds * 1000);
    },
  };
  const engine = await factory({
    storage,
    logger: silentLogger,
    mount: { path: 'secret/', type: 'kv', uuid: randomUUID(), accessor: 'kv_test', options: options.mountOptions ?? {} },
    system: {
      defaultLeaseTtl: () => options.defaultLeaseTtl ?? 2_764_800,
      maxLeaseTtl: () => 2_764_800,
      now: () => clock.now(),
    },
  });
  await engine.setup?.();
  const compiled: CompiledEngine = compileEngine(engine);
  const route = (operation: HarnessOperation, path: string, data: Record<string, unknown> = {}) =>
    routeRequest(compiled, { id: randomUUID(), operation: operation === 'write' ? 'update' : operation, path, data });
  return {
    storage,
    clock,
    route,
    async call(operation, path, data) {
      const routed = await route(operation, path, data);
      return routed.handler(routed.request);
    },
  };
}
