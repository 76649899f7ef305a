import { join } from 'node:path';
import { api, startCoffer, unseal } from '@coffer/e2e';
import { startCofferUnderTest } from './coffer-under-test.js';
import { closedLoop } from './load/closed-loop.js';
import { openLoop } from './load/open-loop.js';
import type { RoundResult } from './load/request-spec.js';
import { residentMiB, sampleResident, type Machine } from './machine.js';
import { RESULTS_DIR, RESULTS_MD } from './paths.js';
import { replaceRegion, writeJson } from './report/results-file.js';
import { kvRead, pooled, seedKv } from './scenarios.js';
import { median } from './stats.js';

const SIZES = [1_000, 10_000, 100_000];
const TOKENS = 100_000;
const CONNECTIONS = 50;

interface SizeResult {
  keys: number;
  seedPerSecond: number;
  closed: { okPerSecond: number; p50Ms: number; p99Ms: number; errors: number };
  open: { rate: number; p50Ms: number; p99Ms: number; errors: number };
  rssIdleMiB: number | undefined;
  rssLoadMiB: number | undefined;
}

const pick = (r: RoundResult) => ({ okPerSecond: Math.round(r.okPerSecond), p50Ms: r.p50Ms, p99Ms: r.p99Ms, errors: r.errors });

/**
 * Scale runs on file storage: KV read latency with 1k, 10k and 100k secrets stored; then 100k live
 * tokens (each with its lease) and the time from the unseal request to serving after a restart;
 * resident memory idle and under load throughout.
 */
export async function runScale(options: { log: (line: string) => void; machine: Machine }): Promise<void> {
  const { log } = options;
  const server = await startCofferUnderTest({ storage: 'file', audit: false });
  const sizes: SizeResult[] = [];
  let restart: Record<string, number | undefined> = {};
  try {
    const { origin, rootToken: token } = server;
    await api(origin, 'POST', 'sys/mounts/kv', { token, body: { type: 'kv-v2' } });
    log(`file storage, RSS at start ${residentMiB(server.process.child.pid as number)} MiB`);
    let stored = 0;
    for (const keys of SIZES) {
      const seedStart = performance.now();
      await seedKv(origin, token, stored, keys, 32);
      const seedPerSecond = Math.round((keys - stored) / ((performance.now() - seedStart) / 1000));
      stored = keys;
      await new Promise((r) => setTimeout(r, 1000));
      const rssIdleMiB = residentMiB(server.process.child.pid as number);
      const sampler = sampleResident(server.process.child.pid as number);
      const rounds: RoundResult[] = [];
      for (let i = 0; i < 3; i++) rounds.push(await closedLoop({ origin, connections: CONNECTIONS, seconds: 3, next: kvRead(token, keys) }));
      const capacity = median(rounds.map((r) => r.okPerSecond));
      const rate = Math.max(10, Math.round(capacity / 20) * 10);
      const open = await openLoop({ origin, connections: CONNECTIONS, seconds: 3, rate, next: kvRead(token, keys) });
      const rssLoadMiB = sampler.stop();
      const closed = rounds.sort((a, b) => a.okPerSecond - b.okPerSecond)[1] as RoundResult;
      sizes.push({ keys, seedPerSecond, closed: pick(closed), open: { rate, p50Ms: open.p50Ms, p99Ms: open.p99Ms, errors: open.errors }, rssIdleMiB, rssLoadMiB });
      log(`${keys} keys (seeded at ${seedPerSecond}/s): closed ${Math.round(closed.okPerSecond)} req/s p99 ${closed.p99Ms} ms; open @${rate}/s p99 ${open.p99Ms.toFixed(1)} ms; RSS idle ${rssIdleMiB} MiB, under load ${rssLoadMiB} MiB`);
    }

    const tokenStart = performance.now();
    let sample = '';
    await pooled(0, TOKENS, 32, async (i) => {
      const res = await api(origin, 'POST', 'auth/token/create', { token, body: { policies: ['default'], ttl: '24h' } });
      if (res.status !== 200) throw new Error(`token create answered ${res.status}`);
      if (i === 0) sample = res.json.auth.client_token;
    });
    const tokenPerSecond = Math.round(TOKENS / ((performance.now() - tokenStart) / 1000));
    const rssWithTokens = residentMiB(server.process.child.pid as number);
    log(`${TOKENS} tokens with leases created at ${tokenPerSecond}/s; RSS ${rssWithTokens} MiB`);

    await server.process.stop();
    const spawnAt = performance.now();
    const again = await startCoffer({ dir: server.dir, port: server.process.port, logLevel: 'warn' });
    server.process = again;
    const listeningMs = Math.round(performance.now() - spawnAt);
    const unsealAt = performance.now();
    await unseal(origin, server.unsealKey);
    const unsealMs = Math.round(performance.now() - unsealAt);
    const firstOk = async (path: string, as: string) => {
      for (;;) {
        const res = await api(origin, 'GET', path, { token: as }).catch(() => undefined);
        if (res?.status === 200) return Math.round(performance.now() - unsealAt);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const kvReadMs = await firstOk('kv/data/secret-1', token);
    const tokenLookupMs = await firstOk('auth/token/lookup-self', sample);
    await new Promise((r) => setTimeout(r, 5000));
    restart = { tokens: TOKENS, tokenPerSecond, listeningMs, unsealMs, kvReadMs, tokenLookupMs, rssBeforeMiB: rssWithTokens, rssAfterUnsealPlus5sMiB: residentMiB(again.child.pid as number) };
    log(`restart with ${TOKENS} tokens: listening after ${listeningMs} ms; unseal answered in ${unsealMs} ms; first KV read ${kvReadMs} ms and first lookup-self ${tokenLookupMs} ms after the unseal request; RSS 5 s later ${restart.rssAfterUnsealPlus5sMiB} MiB`);
  } finally {
    await server.stop();
  }
  writeJson(join(RESULTS_DIR, 'scale.json'), { machine: options.machine, at: new Date().toISOString(), sizes, restart });
  const lines = [
    `Run finished ${new Date().toISOString()} (\`npm run bench -- --scale\`), file storage, no audit, ${CONNECTIONS} connections; closed loop: median of 3 × 3 s; open loop at half the closed-loop rate, 3 s.`,
    '',
    '| keys stored | seeded at (writes/s) | closed req/s | closed p50 / p99 ms | open-loop rate | open p50 / p99 ms | errors | RSS idle / under load MiB |',
    '|---|---|---|---|---|---|---|---|',
    ...sizes.map((s) => `| ${s.keys} | ${s.seedPerSecond} | ${s.closed.okPerSecond} | ${s.closed.p50Ms} / ${s.closed.p99Ms} | ${s.open.rate} | ${s.open.p50Ms.toFixed(1)} / ${s.open.p99Ms.toFixed(1)} | ${s.closed.errors + s.open.errors} | ${s.rssIdleMiB} / ${s.rssLoadMiB} |`),
    '',
    `Restart with ${restart.tokens} live tokens (each with its lease; created at ${restart.tokenPerSecond}/s) and ${SIZES.at(-1)} secrets: process listening ${restart.listeningMs} ms after spawn; ` +
      `unseal answered in ${restart.unsealMs} ms; first KV read served ${restart.kvReadMs} ms and first token lookup ${restart.tokenLookupMs} ms after the unseal request. ` +
      `RSS ${restart.rssBeforeMiB} MiB before the restart, ${restart.rssAfterUnsealPlus5sMiB} MiB 5 s after unsealing.`,
  ];
  replaceRegion(RESULTS_MD, 'scale', lines.join('\n'));
}
