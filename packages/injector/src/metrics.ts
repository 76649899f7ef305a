import type { MutationResult } from './mutate.js';

const BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];

/**
 * vault-k8s's injector metrics (same names, so its dashboards work) in Prometheus' text format:
 * requests in flight, processing time, injections and failures per namespace.
 */
export class InjectorMetrics {
  #inFlight = 0;
  readonly #durations = new Array<number>(BUCKETS_MS.length).fill(0);
  #durationSum = 0;
  #durationCount = 0;
  readonly #injections = new Map<string, number>();
  readonly #failures = new Map<string, number>();

  /** Marks a request as started; call the returned function when it is answered. */
  start(): (result: MutationResult | undefined) => void {
    this.#inFlight += 1;
    const started = performance.now();
    return (result) => {
      this.#inFlight -= 1;
      const ms = performance.now() - started;
      this.#durationSum += ms;
      this.#durationCount += 1;
      BUCKETS_MS.forEach((bound, i) => {
        if (ms <= bound) this.#durations[i] = (this.#durations[i] as number) + 1;
      });
      if (!result) return;
      if (result.refused) bump(this.#failures, `namespace="${label(result.namespace)}"`);
      else if (result.injected) bump(this.#injections, `namespace="${label(result.namespace)}",injection_type="${result.injected}"`);
    };
  }

  text(): string {
    const p = 'vault_agent_injector';
    const lines = [
      `# HELP ${p}_request_queue_length Admission requests being processed.`,
      `# TYPE ${p}_request_queue_length gauge`,
      `${p}_request_queue_length ${this.#inFlight}`,
      `# HELP ${p}_request_processing_duration_ms Time to answer an admission request.`,
      `# TYPE ${p}_request_processing_duration_ms histogram`,
      ...BUCKETS_MS.map((bound, i) => `${p}_request_processing_duration_ms_bucket{le="${bound}"} ${this.#durations[i]}`),
      `${p}_request_processing_duration_ms_bucket{le="+Inf"} ${this.#durationCount}`,
      `${p}_request_processing_duration_ms_sum ${this.#durationSum}`,
      `${p}_request_processing_duration_ms_count ${this.#durationCount}`,
      `# HELP ${p}_injections_by_namespace_total Pods injected, by namespace and injection type.`,
      `# TYPE ${p}_injections_by_namespace_total counter`,
      ...[...this.#injections].map(([labels, n]) => `${p}_injections_by_namespace_total{${labels}} ${n}`),
      `# HELP ${p}_failed_injections_by_namespace_total Pods refused, by namespace.`,
      `# TYPE ${p}_failed_injections_by_namespace_total counter`,
      ...[...this.#failures].map(([labels, n]) => `${p}_failed_injections_by_namespace_total{${labels}} ${n}`),
    ];
    return `${lines.join('\n')}\n`;
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function label(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}
