import { CLOCK_TICKS_PER_SECOND, cpuTicks, postgresCpuTicks } from './process-cpu.js';
import type { RoundResult } from './load/request-spec.js';

/** CPU per 2xx answer (µs), by who spent it; `coffer` is absent when no server was loaded. */
export interface CpuSplit {
  coffer?: number;
  postgres: number;
  /** This process: the load generator, or the pg clients of a raw ceiling. */
  generator: number;
}

export function microsPerAnswer(ticks: number, answers: number): number {
  return ((ticks / CLOCK_TICKS_PER_SECOND) * 1e6) / Math.max(1, answers);
}

/**
 * Runs one round and splits the CPU it took between the Coffer process, the PostgreSQL cluster on
 * `postgresPort` and this process, per 2xx answer: on two shared cores that says which side a
 * credential's time goes to, where throughput alone cannot.
 */
export async function withCpuSplit(run: () => Promise<RoundResult>, postgresPort: number, cofferPid?: number): Promise<{ result: RoundResult; cpu: CpuSplit }> {
  const coffer = cofferPid !== undefined ? cpuTicks(cofferPid) : 0;
  const postgres = postgresCpuTicks(postgresPort);
  const generator = process.cpuUsage();
  const result = await run();
  const answers = result.okPerSecond * result.seconds;
  const generatorUs = process.cpuUsage(generator);
  const cpu: CpuSplit = {
    postgres: microsPerAnswer(postgresCpuTicks(postgresPort) - postgres, answers),
    generator: (generatorUs.user + generatorUs.system) / Math.max(1, answers),
  };
  if (cofferPid !== undefined) cpu.coffer = microsPerAnswer(cpuTicks(cofferPid) - coffer, answers);
  return { result, cpu };
}
