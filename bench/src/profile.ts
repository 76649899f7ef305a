import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFastifyCeiling } from './ceilings/fastify-ceiling.js';
import { startCofferUnderTest, type Target } from './coffer-under-test.js';
import { summariseCpuProfile, summaryLines, type CpuProfile } from './cpuprofile-summary.js';
import { closedLoop } from './load/closed-loop.js';
import { RESULTS_DIR, RESULTS_MD } from './paths.js';
import { replaceRegion, writeJson } from './report/results-file.js';
import { measureRequestCosts, type RequestCosts } from './request-costs.js';
import { SCENARIOS, seedScenarios, type ScenarioName } from './scenarios.js';

const PROFILED: { title: string; target: Target; scenario: ScenarioName }[] = [
  { title: 'KV v2 read, in-memory storage, file audit', target: { storage: 'inmem', audit: true }, scenario: 'kv-read' },
  { title: 'KV v2 read, in-memory storage, no audit', target: { storage: 'inmem', audit: false }, scenario: 'kv-read' },
  { title: 'KV v2 write, one-member etcd, no audit', target: { storage: 'etcd', audit: false }, scenario: 'kv-write' },
];

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** Per-request CPU, write calls and etcd round trips: the fastify ceiling, then every scenario in memory and on etcd. */
async function costTable(options: { log: (line: string) => void; etcdEndpoints: readonly string[]; connections: number }): Promise<string[]> {
  const rows: { name: string; costs: RequestCosts }[] = [];
  const fastify = await startFastifyCeiling();
  try {
    const next = () => ({ method: 'GET' as const, path: fastify.path });
    await closedLoop({ origin: fastify.origin, connections: options.connections, seconds: 0.5, next });
    rows.push({ name: 'fastify constant route', costs: await measureRequestCosts(fastify.pid, () => closedLoop({ origin: fastify.origin, connections: options.connections, seconds: 3, next })) });
  } finally {
    await fastify.stop();
  }
  for (const target of [{ storage: 'inmem', audit: false }, { storage: 'inmem', audit: true }, { storage: 'etcd', audit: false }] as Target[]) {
    const server = await startCofferUnderTest(target, { etcdEndpoints: options.etcdEndpoints });
    try {
      const factories = await seedScenarios(server.origin, server.rootToken);
      const metrics = target.storage === 'etcd' ? `${options.etcdEndpoints[0]}/metrics` : undefined;
      for (const scenario of SCENARIOS) {
        const run = (seconds: number) => closedLoop({ origin: server.origin, connections: options.connections, seconds, next: factories[scenario] });
        await run(0.5);
        const costs = await measureRequestCosts(server.process.child.pid as number, () => run(3), metrics);
        rows.push({ name: `${scenario}, ${target.storage}${target.audit ? ', file audit' : ''}`, costs });
        options.log(`costs ${rows.at(-1)?.name}: ${Math.round(costs.cpuMicroseconds)} µs CPU, ${costs.writeSyscalls.toFixed(2)} writes per request`);
      }
    } finally {
      await server.stop();
    }
  }
  const etcd = (c: RequestCosts) => (c.etcd ? `${c.etcd.range.toFixed(1)} / ${c.etcd.put.toFixed(1)} / ${c.etcd.delete.toFixed(1)} / ${c.etcd.txn.toFixed(1)}` : '');
  return [
    `Costs per 2xx answer at ${options.connections} connections (3 s each; server CPU from /proc/<pid>/stat, write calls from /proc/<pid>/io, etcd operations from etcd's /metrics):`,
    '',
    '| case | req/s | server CPU µs | write syscalls | etcd range / put / delete / txn |',
    '|---|---|---|---|---|',
    ...rows.map(({ name, costs: c }) => `| ${name} | ${Math.round(c.okPerSecond)} | ${Math.round(c.cpuMicroseconds)} | ${c.writeSyscalls.toFixed(2)} | ${etcd(c)} |`),
  ];
}

/**
 * `node --cpu-prof` on the server while one scenario runs flat out for 8 s; the profile is written
 * when the server exits on SIGTERM, and summarised over the load window only.
 */
export async function runProfile(options: { log: (line: string) => void; etcdEndpoints: readonly string[]; connections: number }): Promise<void> {
  const costs = await costTable(options);
  options.log(costs.join('\n'));
  const sections: string[] = [];
  const summaries: Record<string, unknown> = { costs };
  for (const { title, target, scenario } of PROFILED) {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-profile-'));
    const profDir = join(dir, 'prof');
    const server = await startCofferUnderTest(target, { dir, etcdEndpoints: options.etcdEndpoints, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
    let window = { fromUs: 0, toUs: 0 };
    let rate = 0;
    try {
      const factories = await seedScenarios(server.origin, server.rootToken);
      await closedLoop({ origin: server.origin, connections: options.connections, seconds: 1, next: factories[scenario] });
      window = { fromUs: nowUs(), toUs: 0 };
      rate = (await closedLoop({ origin: server.origin, connections: options.connections, seconds: 8, next: factories[scenario] })).okPerSecond;
      window.toUs = nowUs();
    } finally {
      await server.stop({ keepDir: true });
    }
    const files = (await readdir(profDir)).filter((f) => f.endsWith('.cpuprofile'));
    if (files.length !== 1) throw new Error(`expected one .cpuprofile in ${profDir}, found ${files.length}`);
    const profile = JSON.parse(await readFile(join(profDir, files[0] as string), 'utf8')) as CpuProfile;
    await rm(dir, { recursive: true, force: true });
    const summary = summariseCpuProfile(profile, window);
    const lines = summaryLines(`${title} (${Math.round(rate)} req/s while profiled)`, summary);
    options.log(lines.join('\n'));
    sections.push(lines.join('\n'));
    summaries[title] = { rate, ...summary };
  }
  writeJson(join(RESULTS_DIR, 'profile.json'), summaries);
  replaceRegion(
    RESULTS_MD,
    'profile',
    `Generated by \`npm run bench -- --profile\` (${new Date().toISOString()}).\n\n${costs.join('\n')}\n\nCPU profiles (\`node --cpu-prof\` on the server, 8 s flat out at ${options.connections} connections, load window only):\n\n\`\`\`\n${sections.join('\n\n')}\n\`\`\``,
  );
}
