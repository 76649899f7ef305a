import type { Engine } from '@coffer/sdk';
import { createEngineHarness, type EngineHarness } from '../kv/engine-harness.js';
import { createTransitEngine } from './transit-engine.js';

/**
 * The KV engine harness (real routing, in-memory storage, a clock the test moves) around a transit
 * engine, also handing back the engine for its lifecycle hooks (periodic). Test-only.
 */
export interface TransitHarness extends EngineHarness {
  readonly engine: Engine;
}

export async function transitHarness(): Promise<TransitHarness> {
  let engine: Engine | undefined;
  const harness = await createEngineHarness(async (deps) => {
    engine = await createTransitEngine(deps);
    return engine;
  });
  return Object.assign(harness, { engine: engine as Engine });
}

export const b64 = (text: string | Uint8Array): string => Buffer.from(text).toString('base64');
export const unb64 = (text: unknown): Buffer => Buffer.from(text as string, 'base64');
