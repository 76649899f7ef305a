import type { Row } from '../rows.js';

const ms = (v: number) => (v < 10 ? v.toFixed(1) : String(Math.round(v)));
const ratio = (v: number | undefined) => (v === undefined ? '' : v.toFixed(2));

/** The columns the issue asks for, plus what the second ratio is of. */
export function tableLines(rows: readonly Row[]): string[] {
  const header = ['scenario', 'storage', 'audit', 'mode', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio to fastify', 'ratio to raw'];
  const body = rows.map((r) => [
    r.scenario,
    r.storage,
    r.audit === undefined ? '' : r.audit ? 'file' : 'none',
    r.mode,
    String(Math.round(r.okPerSecond)),
    ms(r.p50Ms),
    ms(r.p99Ms),
    String(r.errors),
    ratio(r.ratioToFastify),
    r.ratioToRaw === undefined ? '' : `${ratio(r.ratioToRaw)} of ${r.rawCeiling}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
}

export interface TargetVerdict {
  name: string;
  measured: string;
  met: boolean | undefined;
}

/** The first targets, reported (never asserted). */
export function judgeTargets(rows: readonly Row[]): TargetVerdict[] {
  const find = (scenario: string, storage: string, audit: boolean) => rows.find((r) => r.kind === 'scenario' && r.mode === 'closed' && r.scenario === scenario && r.storage === storage && r.audit === audit);
  const read = find('kv-read', 'inmem', true);
  const writeEtcd = find('kv-write', 'etcd', false);
  return [
    {
      name: 'KV v2 read, in-memory, file audit, 50 connections: ≥ 1/3 of the fastify ceiling and p99 < 10 ms',
      measured: read ? `${ratio(read.ratioToFastify)} of fastify, p99 ${ms(read.p99Ms)} ms` : 'not run',
      met: read ? (read.ratioToFastify ?? 0) >= 1 / 3 && read.p99Ms < 10 : undefined,
    },
    {
      name: 'KV v2 write, one-member etcd, 50 connections: ≥ 40% of raw etcd puts',
      measured: writeEtcd ? `${ratio(writeEtcd.ratioToRaw)} of raw etcd puts` : 'not run',
      met: writeEtcd ? (writeEtcd.ratioToRaw ?? 0) >= 0.4 : undefined,
    },
  ];
}

export function verdictLines(verdicts: readonly TargetVerdict[]): string[] {
  return verdicts.map((v) => `- ${v.met === undefined ? 'NOT RUN' : v.met ? 'MET' : 'NOT MET'}: ${v.name} — measured ${v.measured}`);
}
