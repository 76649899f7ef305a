import { Pool } from 'undici';
import { percentile } from '../stats.js';
import type { RequestFactory, RoundResult } from './request-spec.js';

export interface OpenLoopOptions {
  origin: string;
  connections: number;
  seconds: number;
  /** Requests per second to offer, whatever the server manages. */
  rate: number;
  next: RequestFactory;
  headers?: Record<string, string>;
}

export interface OpenLoopResult extends RoundResult {
  targetRate: number;
  /** Requests the generator gave up on because its own backlog was full (counted as errors). */
  notSent: number;
}

/** Beyond this many requests waiting for a connection, the server is hopelessly behind. */
const MAX_BACKLOG = 20_000;

/**
 * A fixed arrival rate (undici Pool, same connection count): each request's latency runs from when
 * it was due to be sent, not from when a connection was free, so queueing shows in p99 instead of
 * silently lowering the rate (the coordinated-omission trap autocannon's rate limit falls into).
 */
export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1 });
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  let notSent = 0;
  let outstanding = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  const end = start + options.seconds * 1000;
  let scheduled = 0;

  const send = (dueAt: number) => {
    const spec = options.next();
    outstanding++;
    const done = pool
      .request({
        method: spec.method,
        path: spec.path,
        headers: { 'content-type': 'application/json', ...options.headers, ...spec.headers },
        ...(spec.body !== undefined ? { body: spec.body } : {}),
      })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) ok++;
        else errors++;
        latencies.push(performance.now() - dueAt);
      })
      .catch(() => {
        errors++;
        latencies.push(performance.now() - dueAt);
      })
      .finally(() => {
        outstanding--;
        inFlight.delete(done);
      });
    inFlight.add(done);
  };

  while (performance.now() < end) {
    // Request i is due at start + i/rate: send every request whose time has come, none early.
    const due = Math.floor(((performance.now() - start) / 1000) * options.rate) + 1;
    for (; scheduled < due; scheduled++) {
      const dueAt = start + (scheduled / options.rate) * 1000;
      if (outstanding >= MAX_BACKLOG) notSent++;
      else send(dueAt);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return {
    okPerSecond: ok / options.seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors: errors + notSent,
    total: ok + errors + notSent,
    seconds,
    targetRate: options.rate,
    notSent,
  };
}
