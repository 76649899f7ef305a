import { randomUUID } from 'node:crypto';
import {
  compileEngine,
  InMemoryStorage,
  routeRequest,
  silentLogger,
  type CompiledEngine,
  type Engine,
  type EngineFactory,
  type LogicalResponse,
  type Operation,
  type RoutedRequest,
} from '@coffer/sdk';

/**
 * Drives an engine exactly as the server's router does (compileEngine + routeRequest, then the
 * handler), over in-memory storage and a clock the test moves. Not a mock: the routing, field
 * parsing and create/update decision are the real ones. Unlike kv's harness it can mount auth
 * methods (mount path and type, the caller's address) and hands out the engine for `renewAuth`.
 * Test-only.
 */
export interface EngineHarness {
  readonly engine: Engine;
  readonly compiled: CompiledEngine;
  readonly storage: InMemoryStorage;
  readonly clock: TestClock;
  /** `write` is a POST/PUT: the path's existence check settles `create` or `update`. */
  call(operation: HarnessOperation, path: string, data?: Record<string, unknown>, options?: CallOptions): Promise<LogicalResponse | undefined>;
  route(operation: HarnessOperation, path: string, data?: Record<string, unknown>, options?: CallOptions): Promise<RoutedRequest>;
}

export type HarnessOperation = Exclude<Operation, 'create' | 'update'> | 'write';

export interface CallOptions {
  /** The client's address, as the HTTP layer reports the socket's. */
  remoteAddress?: string;
  signal?: AbortSignal;
}

export interface TestClock {
  now(): Date;
  /** Moves time forward by whole or fractional seconds. */
  advance(seconds: number): void;
}

export interface HarnessOptions {
  /** Mount path without `auth/`, with trailing slash, e.g. `approle/`. */
  mountPath?: string;
  mountType?: string;
  mountOptions?: Record<string, string>;
  defaultLeaseTtl?: number;
  maxLeaseTtl?: number;
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
    mount: {
      path: options.mountPath ?? 'test/',
      type: options.mountType ?? 'test',
      uuid: randomUUID(),
      accessor: 'auth_test_1234',
      options: options.mountOptions ?? {},
    },
    system: {
      defaultLeaseTtl: () => options.defaultLeaseTtl ?? 2_764_800,
      maxLeaseTtl: () => options.maxLeaseTtl ?? 2_764_800,
      now: () => clock.now(),
    },
  });
  await engine.setup?.();
  const compiled = compileEngine(engine);
  const route = (operation: HarnessOperation, path: string, data: Record<string, unknown> = {}, call: CallOptions = {}) =>
    routeRequest(compiled, {
      id: randomUUID(),
      operation: operation === 'write' ? 'update' : operation,
      path,
      data,
      ...(call.remoteAddress !== undefined ? { remoteAddress: call.remoteAddress } : {}),
      ...(call.signal ? { signal: call.signal } : {}),
    });
  return {
    engine,
    compiled,
    storage,
    clock,
    route,
    async call(operation, path, data, call) {
      const routed = await route(operation, path, data, call);
      return routed.handler(routed.request);
    },
  };
}
