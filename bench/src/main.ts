import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CLI } from '@coffer/e2e';
import { startEtcd, type EtcdCluster } from '@coffer/testkit';
import { startFastifyCeiling } from './ceilings/fastify-ceiling.js';
import type { StorageKind } from './coffer-under-test.js';
import { runDatabaseBlock, type DatabaseBlockResult } from './database-block.js';
import { describeMachine } from './machine.js';
import { runMatrix } from './matrix.js';
import { RESULTS_DIR, RESULTS_MD } from './paths.js';
import { runProfile } from './profile.js';
import { replaceRegion, writeJson } from './report/results-file.js';
import { databaseNoteLines } from './report/database-notes.js';
import { judgeTargets, tableLines, verdictLines } from './report/table.js';
import { runScale } from './scale.js';
import { selectScenarios } from './scenario-selection.js';

const { values } = parseArgs({
  options: {
    scale: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string', default: '50' },
    // Each in-flight credential is a PostgreSQL backend hashing a password; on two cores 16 already
    // saturate it, and more would only lengthen queues (and double the backends, pool plus ceiling).
    'database-connections': { type: 'string', default: '16' },
    storages: { type: 'string' },
    scenarios: { type: 'string' },
  },
});

const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
const started = performance.now();

if (!existsSync(CLI)) {
  console.error(`The coffer CLI is not built (${CLI}). Run \`npm run bench\`, which builds first.`);
  process.exit(1);
}
const machine = describeMachine();
// Other work on the machine skews every figure; the load average before and after says whether there was any.
const loadBefore = loadavg()[0]?.toFixed(2);
console.log(`Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node} (${machine.platform})`);

let etcd: EtcdCluster | undefined;
try {
  if (values.scale) {
    await runScale({ log, machine });
  } else if (values.profile) {
    etcd = await startEtcd();
    await runProfile({ log, etcdEndpoints: etcd.endpoints, connections: Number(values.connections) });
  } else {
    const storages = (values.storages?.split(',') ?? ['inmem', 'file', 'etcd']) as StorageKind[];
    const selection = selectScenarios(values.scenarios?.split(','));
    const scenarios = selection.matrix;
    const runDatabase = selection.database && storages.includes('inmem');
    const rounds = Number(values.rounds ?? (values.quick ? 1 : 3));
    const seconds = Number(values.seconds ?? (values.quick ? 1 : 3));
    const full = !values.quick && !values.storages && !values.scenarios && !values.rounds && !values.seconds;
    if (storages.includes('etcd')) etcd = await startEtcd();
    const fastify = await startFastifyCeiling();
    try {
      log(
        `${scenarios.length ? storages.length * 2 : 0} blocks × ${scenarios.length} scenarios × ${rounds} rounds of ${seconds} s at ${values.connections} connections` +
          (runDatabase ? `, then database-creds on inmem+audit at ${values['database-connections']} connections` : ''),
      );
      const rows = scenarios.length ? await runMatrix({
        storages,
        audits: [false, true],
        scenarios,
        rounds,
        seconds,
        connections: Number(values.connections),
        openLoopFractions: [0.25, 0.5, 0.75],
        fastify,
        ...(etcd ? { etcdEndpoints: etcd.endpoints } : {}),
        log,
      }) : [];
      let database: DatabaseBlockResult[] = [];
      if (runDatabase) {
        // One block, audited as the target KV block is: a second (no audit) would add about a minute,
        // most of it revoking, and push the full run past ten minutes.
        const block = await runDatabaseBlock({ audits: [true], rounds, seconds, connections: Number(values['database-connections']), fastify, log });
        rows.push(...block.rows);
        database = block.results;
      }
      const verdicts = judgeTargets(rows);
      const totalS = Math.round((performance.now() - started) / 1000);
      const loadAfter = loadavg()[0]?.toFixed(2);
      const table = tableLines(rows);
      const databaseNotes = databaseNoteLines(database);
      console.log(`\n${table.join('\n')}\n${databaseNotes.length ? `\n${databaseNotes.join('\n')}\n` : ''}\nFirst targets (reported, not asserted):\n${verdictLines(verdicts).join('\n')}\n\nWall time ${totalS} s`);
      const report = { machine, loadAverage: { before: loadBefore, after: loadAfter }, startedAt: new Date(Date.now() - totalS * 1000).toISOString(), wallSeconds: totalS, rounds, seconds, connections: Number(values.connections), rows, database, verdicts };
      writeJson(join(RESULTS_DIR, full ? 'latest.json' : 'partial.json'), report);
      if (full) {
        replaceRegion(
          RESULTS_MD,
          'results',
          [
            `Run ${report.startedAt} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}; load generator on the same cores; ` +
              `1-minute load average ${loadBefore} before the run, ${loadAfter} after (the run itself keeps it near 2).`,
            `Each figure: median of ${rounds} rounds of ${seconds} s at ${values.connections} connections; ratios are per-round, then the median. Wall time ${totalS} s.`,
            '',
            ...table,
            '',
            ...(databaseNotes.length ? [...databaseNotes, ''] : []),
            'First targets (reported, not asserted):',
            '',
            ...verdictLines(verdicts),
          ].join('\n'),
        );
        console.log(`Wrote ${RESULTS_MD} and results/latest.json`);
      }
    } finally {
      await fastify.stop();
    }
  }
} finally {
  await etcd?.close();
}
