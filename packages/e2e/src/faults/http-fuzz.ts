import { api } from '../coffer-process.js';
import { fuzzCase } from './fuzz-requests.js';
import { rawExchange } from './raw-exchange.js';

export interface HttpFuzzOptions {
  address: string;
  port: number;
  rootToken: string;
  /** How many generated requests (at least 10 000 for the long run). */
  count: number;
  seed: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Is the server process still running? Asked after the run (and whenever a connection is refused). */
  isAlive: () => boolean;
  /** A secret written before the run at a mount the fuzzer never names; must read back the same after. */
  canary: { path: string; value: string };
  log?: (line: string) => void;
}

export interface HttpFuzzResult {
  seed: number;
  sent: number;
  /** Status code (or `closed`, `reset`, `timeout`, `refused`) → count. */
  outcomes: Record<string, number>;
  /** Every 5xx, with the case that caused it (replay it with fuzzCase(seed, index)). */
  serverErrors: string[];
  /** Cases the server neither answered nor closed within the bound (reported; a hang is not a crash). */
  timedOut: string[];
  crashed: boolean;
  /** The canary read back intact and sys/health said 200 after the run. */
  healthyAfter: boolean;
}

/**
 * Sends `count` generated bad requests — odd methods, traversal and percent-encoded paths, odd
 * headers, JSON of wrong types and depths, huge and truncated bodies, LIST on odd paths — half of
 * them with a root token. Any 5xx or a dead process is a failure; afterwards a known request must
 * still get the right answer.
 */
export async function runHttpFuzz(options: HttpFuzzOptions): Promise<HttpFuzzResult> {
  const log = options.log ?? (() => {});
  const result: HttpFuzzResult = { seed: options.seed, sent: 0, outcomes: {}, serverErrors: [], timedOut: [], crashed: false, healthyAfter: false };
  const count = (key: string) => (result.outcomes[key] = (result.outcomes[key] ?? 0) + 1);
  let next = 0;
  const lane = async () => {
    while (next < options.count && !result.crashed) {
      const generated = fuzzCase(options.seed, next++, options.rootToken);
      const outcome = await rawExchange(options.port, generated.bytes, { halfClose: generated.halfClose });
      result.sent++;
      if (outcome.statuses.length === 0) count(outcome.end);
      if (outcome.end === 'timeout') result.timedOut.push(generated.summary);
      for (const status of outcome.statuses) {
        count(String(status));
        if (status >= 500) result.serverErrors.push(`${status} ${generated.summary}`);
      }
      if (outcome.end === 'refused' && !options.isAlive()) {
        result.crashed = true;
        result.serverErrors.push(`server process died; last case ${generated.summary}`);
      }
      if (result.sent % 1000 === 0) log(`fuzz: ${result.sent}/${options.count} sent, ${result.serverErrors.length} server errors`);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, lane));
  result.crashed ||= !options.isAlive();
  if (!result.crashed) {
    const health = await api(options.address, 'GET', 'sys/health').catch(() => undefined);
    const canary = await api(options.address, 'GET', options.canary.path, { token: options.rootToken }).catch(() => undefined);
    result.healthyAfter = health?.status === 200 && canary?.status === 200 && canary.json?.data?.data?.value === options.canary.value;
  }
  return result;
}

/** `400:5123 404:2211 …`, most frequent first. */
export function formatOutcomes(outcomes: Record<string, number>): string {
  return Object.entries(outcomes)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
}
