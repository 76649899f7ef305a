import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatOutcomes, fuzzFreshServer, runCrashLoop, runFailoverLoop, type CrashLoopResult } from '@coffer/e2e';
import { startEtcd } from '@coffer/testkit';
import { describeMachine } from './machine.js';
import { RESULTS_DIR, RESULTS_MD } from './paths.js';
import { replaceRegion, writeJson } from './report/results-file.js';
import { median } from './stats.js';

// `npm run faults`: the long fault runs, bounded in count (and so in time), loopback only. The
// short versions of the same code run in the test suite (packages/e2e/test/faults-short.test.ts).

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    'failover-kills': { type: 'string', default: '10' },
    fuzz: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '20261204' },
    only: { type: 'string', default: 'crash,failover,fuzz' },
  },
});
const only = new Set(values.only.split(','));
const seed = Number(values.seed);
const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const failures: string[] = [];
/** The summary lines that go into RESULTS.md. */
const summary: string[] = [];
const report: Record<string, unknown> = { machine: describeMachine(), seed, at: new Date().toISOString() };
console.log(`Fault runs, seed ${seed} (replay with --seed=${seed})`);

const describeCrash = (r: CrashLoopResult) =>
  `crash loop on ${r.storage}: ${r.kills} × kill -9, ${r.acknowledged} acknowledged writes all there once and whole: ${r.problems === 0 ? 'yes' : 'NO'} ` +
  `(missing ${r.final.missing.length}, applied twice ${r.final.duplicated.length}, half-written ${r.final.halfWritten.length}); ` +
  `${r.unconfirmed} writes in flight at a kill, ${r.rounds.reduce((s, c) => s + c.unconfirmedApplied, 0)} of them applied; ` +
  `restart+unseal median ${median(r.restartMs)} ms, worst ${Math.max(...r.restartMs)} ms`;

const etcd = only.has('crash') || only.has('failover') ? await startEtcd() : undefined;
try {
  if (only.has('crash')) {
    for (const storage of ['file', 'etcd'] as const) {
      const result = await runCrashLoop({
        storage,
        kills: Number(values.kills),
        seed,
        log,
        ...(storage === 'etcd' && etcd ? { etcdEndpoints: etcd.endpoints.join(','), etcdPrefix: etcd.uniquePrefix('crash') } : {}),
      });
      report[`crash-${storage}`] = result;
      log(describeCrash(result));
      summary.push(`- ${describeCrash(result)}.`);
      if (result.problems) failures.push(`crash loop on ${storage}: ${result.problems} problems ${JSON.stringify(result.final).slice(0, 500)}`);
    }
  }
  if (only.has('failover') && etcd) {
    const result = await runFailoverLoop({
      etcdEndpoints: etcd.endpoints.join(','),
      etcdPrefix: etcd.uniquePrefix('failover').replace(/^\/|\/$/g, ''),
      kills: Number(values['failover-kills']),
      log,
    });
    report.failover = result;
    const line =
      `failover loop: ${result.kills} kills of the active node (lock_timeout 3s); new active node writing after median ${result.medianMs} ms, worst ${result.worstMs} ms; ` +
        `${result.acknowledged} acknowledged writes, lost ${result.lost.length}, applied twice ${result.check.duplicated.length}, half-written ${result.check.halfWritten.length}`;
    log(line);
    summary.push(`- ${line} (takeovers: ${result.takeoverMs.join(', ')} ms).`);
    if (result.lost.length || result.check.duplicated.length || result.check.halfWritten.length) {
      failures.push(`failover: ${JSON.stringify(result.check).slice(0, 500)}`);
      summary.push(`  - applied twice: ${result.check.duplicated.join(', ')}`);
    }
    for (const line of result.forwardingLog.slice(0, 10)) log(`  ${line.slice(0, 300)}`);
  }
  if (only.has('fuzz')) {
    const result = await fuzzFreshServer({ count: Number(values.fuzz), seed, log });
    report.fuzz = result;
    log(`fuzz: ${result.sent} requests, seed ${seed}; outcomes ${formatOutcomes(result.outcomes)}`);
    log(`fuzz: ${result.serverErrors.length} 5xx, crashed ${result.crashed}, healthy afterwards ${result.healthyAfter}, clean exit ${result.exitCode === 0}, ${result.timedOut.length} left hanging`);
    for (const error of result.serverErrors.slice(0, 20)) log(`  ${error}`);
    summary.push(
      `- HTTP fuzz: ${result.sent} generated requests (seed ${seed}), half with a root token; outcomes ${formatOutcomes(result.outcomes)}; ` +
        `${result.serverErrors.length} 5xx, crashed ${result.crashed}, answered a known request correctly afterwards ${result.healthyAfter}, clean exit ${result.exitCode === 0}.`,
      ...result.serverErrors.slice(0, 5).map((e) => `  - ${e}`),
    );
    if (result.serverErrors.length || result.crashed || !result.healthyAfter) failures.push(`fuzz: ${result.serverErrors.length} 5xx, crashed ${result.crashed}, healthy ${result.healthyAfter}`);
  }
} finally {
  await etcd?.close();
}
const complete = only.size === 3;
writeJson(join(RESULTS_DIR, complete ? 'faults.json' : 'faults-partial.json'), report);
if (complete) {
  replaceRegion(
    RESULTS_MD,
    'faults',
    [`\`npm run faults\` at ${report.at as string}, seed ${seed}, wall time ${Math.round((performance.now() - started) / 1000)} s: ${failures.length ? 'FAILED' : 'all passed'}.`, '', ...summary].join('\n'),
  );
}
console.log(`\n${failures.length ? `FAILED:\n${failures.join('\n')}` : 'All fault runs passed.'} Wall time ${Math.round((performance.now() - started) / 1000)} s; details in bench/results/${complete ? 'faults' : 'faults-partial'}.json`);
process.exitCode = failures.length ? 1 : 0;
