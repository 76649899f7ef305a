import { CofferError } from '@coffer/sdk';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the metrics read from the running node at scrape time. */
export interface NodeGauges {
  sealed(): boolean;
  active(): boolean;
  leases(): { tokens: number; secrets: number; irrevocable: number };
  auditFailures(): { device: string; failures: number }[];
}

/**
 * The node's Prometheus metrics, one registry per server (tests may run several in a process).
 * Request metrics are labelled by mount type and operation (never by path: paths hold secret names
 * and would explode the series), storage by operation.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'mount' | 'operation' | 'status'>;
  readonly requestSeconds: Histogram<'mount' | 'operation'>;
  readonly storageSeconds: Histogram<'op'>;
  #gauges: NodeGauges | undefined;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'coffer_requests_total',
      help: 'Requests served, by mount type, operation and HTTP status.',
      labelNames: ['mount', 'operation', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'coffer_request_duration_seconds',
      help: 'Request latency, by mount type and operation.',
      labelNames: ['mount', 'operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.storageSeconds = new Histogram({
      name: 'coffer_storage_operation_duration_seconds',
      help: 'Physical storage latency, by operation.',
      labelNames: ['op'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers,
    });
    const gauges = () => this.#gauges;
    new Gauge({
      name: 'coffer_sealed',
      help: '1 while this node is sealed.',
      registers,
      collect() {
        this.set(gauges()?.sealed() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'coffer_active',
      help: '1 while this node is the active node (always 1 unsealed without HA).',
      registers,
      collect() {
        this.set(gauges()?.active() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'coffer_leases_scheduled',
      help: 'Live leases the expiration manager tracks: of tokens with a TTL (kind="token") and of secrets (kind="secret").',
      labelNames: ['kind'],
      registers,
      collect() {
        const counts = gauges()?.leases();
        this.set({ kind: 'token' }, counts?.tokens ?? 0);
        this.set({ kind: 'secret' }, counts?.secrets ?? 0);
      },
    });
    new Gauge({
      name: 'coffer_leases_irrevocable',
      help: 'Leases whose revocation kept failing and was given up; each needs an operator (sys/leases/revoke-force).',
      registers,
      collect() {
        this.set(gauges()?.leases().irrevocable ?? 0);
      },
    });
    new Gauge({
      name: 'coffer_audit_device_failures',
      help: 'Failed writes per audit device since it was enabled.',
      labelNames: ['device'],
      registers,
      collect() {
        this.reset();
        for (const { device, failures } of gauges()?.auditFailures() ?? []) this.set({ device }, failures);
      },
    });
    // Event-loop lag, heap, GC, handles: Node's own health.
    collectDefaultMetrics({ register: this.registry, prefix: 'coffer_' });
  }

  /** The running node's state, once the core exists. */
  attach(gauges: NodeGauges): void {
    this.#gauges = gauges;
  }
}

/**
 * sys/metrics in the format asked for: `prometheus` gives Prometheus' text format, nothing or
 * `json` prom-client's JSON, anything else a 400. Shared by the authenticated path and the
 * unauthenticated listener route.
 */
export async function renderMetrics(metrics: Metrics, format: unknown): Promise<{ contentType: string; body: string }> {
  if (format === 'prometheus') return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
  if (format !== undefined && format !== '' && format !== 'json') {
    throw new CofferError('invalid_request', `unknown metrics format "${String(format)}" (use prometheus or json)`);
  }
  return { contentType: 'application/json', body: JSON.stringify(await metrics.registry.getMetricsAsJSON()) };
}
