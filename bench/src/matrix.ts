import { uniqueEtcdPrefix } from '@coffer/testkit';
import { aesGcmRate } from './ceilings/aes-gcm.js';
import { rawEtcdRound } from './ceilings/etcd-raw.js';
import type { CeilingServer } from './ceilings/fastify-ceiling.js';
import { startCofferUnderTest, type StorageKind, type Target } from './coffer-under-test.js';
import { closedLoop } from './load/closed-loop.js';
import { openLoop } from './load/open-loop.js';
import type { RoundResult } from './load/request-spec.js';
import { summarise, withRatios, type Row } from './rows.js';
import { seedScenarios, type ScenarioName } from './scenarios.js';
import { median } from './stats.js';

export interface MatrixOptions {
  storages: StorageKind[];
  audits: boolean[];
  scenarios: ScenarioName[];
  rounds: number;
  seconds: number;
  connections: number;
  /** Fractions of the measured kv-read capacity offered as fixed rates on the target block. */
  openLoopFractions: number[];
  fastify: CeilingServer;
  etcdEndpoints?: readonly string[];
  log: (line: string) => void;
}

/** Which raw ceiling a scenario on etcd is a share of: what its storage work mostly is. */
const ETCD_CEILING: Partial<Record<ScenarioName, 'put' | 'get'>> = {
  'kv-read': 'get',
  'kv-write': 'put',
  'token-create': 'put',
  'approle-login': 'put',
};

/**
 * One block per (storage, audit): start a server, seed, warm up, then per round: the fastify
 * ceiling (and on etcd the raw puts and gets, and the AES rate) right before every scenario's round,
 * so each ratio pairs measurements taken seconds apart. Open-loop rounds follow on the target block.
 */
export async function runMatrix(options: MatrixOptions): Promise<Row[]> {
  const rows: Row[] = [];
  const fastifyAll: RoundResult[] = [];
  const etcdAll: Record<'put' | 'get', RoundResult[]> = { put: [], get: [] };
  const aesAll: number[] = [];
  const { connections, seconds } = options;
  // Ceiling rounds are shorter: a constant route and raw etcd are steady within a second or two,
  // and the time saved keeps the whole run under ten minutes on two cores.
  const ceilingSeconds = Math.min(seconds, 2);
  const ceilingRound = () => closedLoop({ origin: options.fastify.origin, connections, seconds: ceilingSeconds, next: () => ({ method: 'GET', path: options.fastify.path }) });

  for (const storage of options.storages) {
    for (const audit of options.audits) {
      const target: Target = { storage, audit };
      const label = `${storage}${audit ? '+audit' : ''}`;
      const server = await startCofferUnderTest(target, options.etcdEndpoints ? { etcdEndpoints: options.etcdEndpoints } : {});
      try {
        const seedStart = performance.now();
        const factories = await seedScenarios(server.origin, server.rootToken);
        options.log(`${label}: seeded in ${Math.round(performance.now() - seedStart)} ms`);
        for (const scenario of options.scenarios) {
          await closedLoop({ origin: server.origin, connections, seconds: 0.5, next: factories[scenario] }); // JIT warm-up
        }
        const fastify: number[] = [];
        const raw: Record<'put' | 'get' | 'aes', number[]> = { put: [], get: [], aes: [] };
        const perScenario = new Map<ScenarioName, RoundResult[]>();
        for (let round = 0; round < options.rounds; round++) {
          const ceiling = await ceilingRound();
          fastify.push(ceiling.okPerSecond);
          fastifyAll.push(ceiling);
          const aes = aesGcmRate(Math.min(1, seconds / 3));
          raw.aes.push(aes);
          aesAll.push(aes);
          if (storage === 'etcd' && options.etcdEndpoints) {
            for (const op of ['put', 'get'] as const) {
              const result = await rawEtcdRound({ endpoints: options.etcdEndpoints, prefix: uniqueEtcdPrefix(`raw-${op}`), op, concurrency: connections, seconds: ceilingSeconds });
              raw[op].push(result.okPerSecond);
              etcdAll[op].push(result);
            }
          }
          for (const scenario of options.scenarios) {
            const result = await closedLoop({ origin: server.origin, connections, seconds, next: factories[scenario] });
            perScenario.set(scenario, [...(perScenario.get(scenario) ?? []), result]);
            options.log(
              `${label} round ${round + 1}/${options.rounds} ${scenario}: ${Math.round(result.okPerSecond)} req/s, p99 ${result.p99Ms} ms, ` +
                `${result.errors} errors (fastify ${Math.round(ceiling.okPerSecond)})`,
            );
          }
        }
        for (const scenario of options.scenarios) {
          const row = summarise({ kind: 'scenario', scenario, storage, audit, mode: 'closed', connections, rounds: perScenario.get(scenario) ?? [] });
          const etcdOp = storage === 'etcd' ? ETCD_CEILING[scenario] : undefined;
          const rawCeiling = etcdOp
            ? { name: `etcd ${etcdOp}s`, perRound: raw[etcdOp] }
            : scenario === 'transit-encrypt-1k'
              ? { name: 'AES-GCM 1 KiB', perRound: raw.aes }
              : undefined;
          rows.push(withRatios(row, fastify, rawCeiling));
        }
        // Fixed offered rates on the target block (KV read, in memory, audited), as shares of its capacity.
        const capacity = median(perScenario.get('kv-read')?.map((r) => r.okPerSecond) ?? []);
        if (storage === 'inmem' && audit && capacity > 0) {
          for (const fraction of options.openLoopFractions) {
            const rate = Math.max(10, Math.round((capacity * fraction) / 10) * 10);
            const rounds: RoundResult[] = [];
            for (let round = 0; round < options.rounds; round++) {
              rounds.push(await openLoop({ origin: server.origin, connections, seconds: ceilingSeconds, rate, next: factories['kv-read'] }));
            }
            const row = summarise({ kind: 'scenario', scenario: 'kv-read', storage, audit, mode: `open@${rate}`, connections, rounds });
            rows.push(row);
            options.log(`${label} kv-read open loop at ${rate} req/s: p50 ${row.p50Ms.toFixed(1)} ms, p99 ${row.p99Ms.toFixed(1)} ms, ${row.errors} errors`);
          }
        }
      } finally {
        await server.stop();
      }
    }
  }
  rows.push(summarise({ kind: 'ceiling', scenario: 'fastify constant route', storage: '-', audit: undefined, mode: 'closed', connections, rounds: fastifyAll }));
  for (const op of ['put', 'get'] as const) {
    if (etcdAll[op].length) rows.push(summarise({ kind: 'ceiling', scenario: `raw etcd ${op}s`, storage: 'etcd', audit: undefined, mode: 'closed', connections, rounds: etcdAll[op] }));
  }
  const aesRound = (rate: number): RoundResult => ({ okPerSecond: rate, p50Ms: 1000 / rate, p99Ms: 1000 / rate, errors: 0, total: Math.round(rate), seconds: 1 });
  rows.push(summarise({ kind: 'ceiling', scenario: 'AES-256-GCM 1 KiB (1 core)', storage: '-', audit: undefined, mode: 'loop', connections: 1, rounds: aesAll.map(aesRound) }));
  return rows;
}

