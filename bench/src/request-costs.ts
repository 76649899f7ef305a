import { readFileSync } from 'node:fs';
import type { RoundResult } from './load/request-spec.js';
import { CLOCK_TICKS_PER_SECOND, cpuTicks } from './process-cpu.js';

export interface RequestCosts {
  okPerSecond: number;
  /** Server CPU (user + system) per 2xx answer. */
  cpuMicroseconds: number;
  /** write/writev/sendmsg calls per 2xx answer (/proc/<pid>/io syscw): socket and file writes. */
  writeSyscalls: number;
  /** etcd operations per 2xx answer, from etcd's own counters (etcd storage only). */
  etcd?: { range: number; put: number; delete: number; txn: number };
}

function writeCalls(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/io`, 'utf8').match(/syscw:\s*(\d+)/)?.[1] ?? NaN);
}

async function etcdCounters(metricsUrl: string): Promise<Record<'range' | 'put' | 'delete' | 'txn', number>> {
  const text = await (await fetch(metricsUrl)).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(name))
      .reduce((total, line) => total + Number(line.split(' ').pop()), 0);
  return {
    range: sum('etcd_debugging_mvcc_range_total'),
    put: sum('etcd_debugging_mvcc_put_total'),
    delete: sum('etcd_debugging_mvcc_delete_total'),
    txn: sum('etcd_debugging_mvcc_txn_total'),
  };
}

/**
 * What one request costs the server process while `run` loads it: CPU time, write system calls,
 * and storage round trips. Totals over the round divided by the 2xx answers, so the numbers explain
 * a throughput figure instead of just restating it.
 */
export async function measureRequestCosts(pid: number, run: () => Promise<RoundResult>, etcdMetricsUrl?: string): Promise<RequestCosts> {
  const cpuBefore = cpuTicks(pid);
  const writesBefore = writeCalls(pid);
  const etcdBefore = etcdMetricsUrl ? await etcdCounters(etcdMetricsUrl) : undefined;
  const result = await run();
  const answered = Math.max(1, result.okPerSecond * result.seconds);
  const cpuMicroseconds = ((cpuTicks(pid) - cpuBefore) / CLOCK_TICKS_PER_SECOND / answered) * 1e6;
  const writeSyscalls = (writeCalls(pid) - writesBefore) / answered;
  const costs: RequestCosts = { okPerSecond: result.okPerSecond, cpuMicroseconds, writeSyscalls };
  if (etcdMetricsUrl && etcdBefore) {
    const after = await etcdCounters(etcdMetricsUrl);
    const per = (k: keyof typeof after) => (after[k] - etcdBefore[k]) / answered;
    costs.etcd = { range: per('range'), put: per('put'), delete: per('delete'), txn: per('txn') };
  }
  return costs;
}
