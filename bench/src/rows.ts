import type { RoundResult } from './load/request-spec.js';
import { median, medianRatio } from './stats.js';

export type RowKind = 'scenario' | 'ceiling';

/** One line of the results table: a scenario (or a ceiling) on one storage, with its rounds. */
export interface Row {
  kind: RowKind;
  scenario: string;
  storage: string;
  audit: boolean | undefined;
  /** `closed` (N connections flat out) or `open@R` (a fixed offered rate of R req/s). */
  mode: string;
  connections: number;
  rounds: RoundResult[];
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Median of per-round ratios to the fastify ceiling measured in the same round. */
  ratioToFastify?: number;
  /** Median of per-round ratios to a raw ceiling (etcd puts or gets, or AES-GCM), and which. */
  ratioToRaw?: number;
  rawCeiling?: string;
}

/** Medians over the rounds; errors are summed (one is one too many, whichever round it was in). */
export function summarise(base: Omit<Row, 'okPerSecond' | 'p50Ms' | 'p99Ms' | 'errors'>): Row {
  return {
    ...base,
    okPerSecond: median(base.rounds.map((r) => r.okPerSecond)),
    p50Ms: median(base.rounds.map((r) => r.p50Ms)),
    p99Ms: median(base.rounds.map((r) => r.p99Ms)),
    errors: base.rounds.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** Sets the ratio columns of `row` from ceiling rounds paired with its own rounds by index. */
export function withRatios(row: Row, fastify: readonly number[] | undefined, raw?: { name: string; perRound: readonly number[] }): Row {
  const own = row.rounds.map((r) => r.okPerSecond);
  const ratioToFastify = fastify ? medianRatio(own, fastify) : undefined;
  const ratioToRaw = raw ? medianRatio(own, raw.perRound) : undefined;
  return {
    ...row,
    ...(ratioToFastify !== undefined ? { ratioToFastify } : {}),
    ...(raw && ratioToRaw !== undefined ? { ratioToRaw, rawCeiling: raw.name } : {}),
  };
}
