/** One request of a scenario: the load generators call a factory for each request they send. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

export type RequestFactory = () => RequestSpec;

/** One measured round. Only 2xx answers count as throughput; everything else is an error. */
export interface RoundResult {
  /** 2xx answers per second. */
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers, connection errors and timeouts. */
  errors: number;
  /** Every answer or failure seen. */
  total: number;
  seconds: number;
}
