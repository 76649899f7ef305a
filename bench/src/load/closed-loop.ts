import autocannon from 'autocannon';
import type { RequestFactory, RoundResult } from './request-spec.js';

export interface ClosedLoopOptions {
  origin: string;
  connections: number;
  seconds: number;
  next: RequestFactory;
  headers?: Record<string, string>;
}

/**
 * `connections` keep-alive connections, each sending its next request as soon as the previous one
 * is answered (autocannon, as fastify's own benchmarks use it, without pipelining): the throughput
 * ceiling of the server. Latency here hides queueing; the open loop reports that.
 */
export async function closedLoop(options: ClosedLoopOptions): Promise<RoundResult> {
  const result = await autocannon({
    url: options.origin,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    headers: { 'content-type': 'application/json', ...options.headers },
    requests: [
      {
        setupRequest: (request) => {
          const spec = options.next();
          return {
            ...request,
            method: spec.method,
            path: spec.path,
            ...(spec.body !== undefined ? { body: spec.body } : {}),
            headers: { ...request.headers, ...spec.headers },
          };
        },
      },
    ],
  });
  const ok = result['2xx'];
  const errors = result.non2xx + result.errors;
  return {
    okPerSecond: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors,
    total: ok + errors,
    seconds: result.duration,
  };
}
