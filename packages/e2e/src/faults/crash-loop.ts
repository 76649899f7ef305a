import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, freePort, startCoffer, type CofferProcess } from '../coffer-process.js';
import { initialiseAndUnseal, mount, unseal } from '../coffer-setup.js';
import { checkLedger, ledgerProblems, type LedgerCheck } from './kv-ledger.js';
import { SeededRandom } from './seeded-random.js';
import { WriteLoad } from './write-load.js';

export interface CrashLoopOptions {
  storage: 'file' | 'etcd';
  /** How many times the server is killed with SIGKILL (default 20). */
  kills?: number;
  /** Concurrent writers (default 8). */
  writers?: number;
  /** Seeds where each kill lands (how many writes are acknowledged first); default 1. */
  seed?: number;
  /** etcd client URLs, comma-separated; required for `storage: 'etcd'`. */
  etcdEndpoints?: string;
  /** Key prefix in etcd, unique per run (e.g. from EtcdCluster.uniquePrefix()). */
  etcdPrefix?: string;
  /** Where the server keeps its config (and data, on file storage); a temp folder by default. */
  dir?: string;
  log?: (line: string) => void;
}

export interface CrashLoopResult {
  storage: 'file' | 'etcd';
  seed: number;
  kills: number;
  acknowledged: number;
  /** Writes sent but not acknowledged when the server died (or refused); checked too. */
  unconfirmed: number;
  /** The check after each restart (that round's keys), then one over every round's keys. */
  rounds: LedgerCheck[];
  final: LedgerCheck;
  /** Spawn to unsealed, per restart (reported, never asserted). */
  restartMs: number[];
  problems: number;
}

/**
 * Kills the server with SIGKILL in the middle of a KV v2 write load, restarts and unseals it, and
 * checks every write: the acknowledged ones must all be there exactly once and whole, the ones in
 * flight at the kill must be either whole or absent, and nothing else may be listed.
 */
export async function runCrashLoop(options: CrashLoopOptions): Promise<CrashLoopResult> {
  const kills = options.kills ?? 20;
  const seed = options.seed ?? 1;
  const random = new SeededRandom(seed);
  const log = options.log ?? (() => {});
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), `coffer-crash-${options.storage}-`)));
  if (options.storage === 'etcd' && !options.etcdEndpoints) throw new Error('the etcd crash loop needs etcdEndpoints');
  const storageConfig =
    options.storage === 'etcd'
      ? `storage "etcd" {\n  address = "${options.etcdEndpoints}"\n  path = "${options.etcdPrefix ?? '/coffer-crash/'}"\n  ha_enabled = "false"\n}`
      : undefined;
  const port = await freePort();
  const launch = () => startCoffer({ dir, port, logLevel: 'warn', ...(storageConfig ? { storageConfig } : {}) });

  let server: CofferProcess = await launch();
  const { unsealKey, rootToken: token } = await initialiseAndUnseal(server.address);
  await mount(server.address, token, 'crash', 'kv-v2');
  const result: CrashLoopResult = {
    storage: options.storage,
    seed,
    kills,
    acknowledged: 0,
    unconfirmed: 0,
    rounds: [],
    final: { checked: 0, missing: [], duplicated: [], halfWritten: [], unconfirmedApplied: 0 },
    restartMs: [],
    problems: 0,
  };
  const acknowledged = new Set<string>();
  const unconfirmed = new Set<string>();
  const prefixes: string[] = [];
  try {
    for (let round = 1; round <= kills; round++) {
      const prefix = `r${round}/`;
      prefixes.push(prefix);
      const address = server.address;
      const load = new WriteLoad({ token, mount: 'crash', prefix, writers: options.writers ?? 8, target: () => address });
      load.start();
      // The kill lands at a different point of the load each round, reproducibly from the seed.
      await load.waitForAcknowledged(random.int(20, 200), `acknowledged writes before kill ${round}`);
      await server.kill();
      await load.stop();
      for (const key of load.acknowledged) acknowledged.add(key);
      for (const key of load.unconfirmed) unconfirmed.add(key);

      const restartAt = performance.now();
      server = await launch();
      await unseal(server.address, unsealKey);
      result.restartMs.push(Math.round(performance.now() - restartAt));
      const check = await checkLedger({
        address: server.address,
        token,
        mount: 'crash',
        acknowledged: load.acknowledged,
        unconfirmed: load.unconfirmed,
        listPrefixes: [prefix],
      });
      result.rounds.push(check);
      log(
        `crash ${options.storage} ${round}/${kills}: ${load.acknowledged.size} acknowledged, ${load.unconfirmed.size} in flight ` +
          `(${check.unconfirmedApplied} applied), ${ledgerProblems(check)} problems, restart+unseal ${result.restartMs.at(-1)} ms`,
      );
    }
    // A later crash must not have damaged what an earlier round left.
    result.final = await checkLedger({ address: server.address, token, mount: 'crash', acknowledged, unconfirmed, listPrefixes: prefixes });
    const sanity = await api(server.address, 'GET', 'sys/health');
    if (sanity.status !== 200) throw new Error(`server unhealthy after the crash loop: ${sanity.status}`);
  } finally {
    await server.stop();
    if (!options.dir) await rm(dir, { recursive: true, force: true });
  }
  result.acknowledged = acknowledged.size;
  result.unconfirmed = unconfirmed.size;
  result.problems = result.rounds.reduce((sum, c) => sum + ledgerProblems(c), 0) + ledgerProblems(result.final);
  return result;
}
