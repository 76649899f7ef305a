import { api } from '@coffer/e2e';
import { startPostgres } from '@coffer/testkit';
import type { CeilingServer } from './ceilings/fastify-ceiling.js';
import { openRawClients, rawCreateRoleRound } from './ceilings/postgres-create-role.js';
import { startCofferUnderTest } from './coffer-under-test.js';
import { withCpuSplit, type CpuSplit } from './cpu-split.js';
import { CREDS_PATH, cofferRolesLeft, seedDatabaseCreds } from './database-creds.js';
import { closedLoop } from './load/closed-loop.js';
import type { RoundResult } from './load/request-spec.js';
import { summarise, withRatios, type Row } from './rows.js';
import { median } from './stats.js';

export interface DatabaseBlockOptions {
  audits: boolean[];
  rounds: number;
  seconds: number;
  /** In flight at once: HTTP connections, Coffer's PostgreSQL pool, and the raw ceiling's clients. */
  connections: number;
  fastify: CeilingServer;
  log: (line: string) => void;
}

/** What one block left behind: how long revoking every lease took, and the CPU per credential. */
export interface DatabaseBlockResult {
  audit: boolean;
  leases: number;
  /** The revoke-prefix answer: 204 when every lease was revoked. */
  revokeStatus: number;
  revokeMs: number;
  /** Roles Coffer created that are still in PostgreSQL after the revocation (should be 0). */
  rolesLeft: number;
  /** Medians over the rounds, µs per 2xx answer. */
  creds: CpuSplit;
  rawCreateRole: CpuSplit;
}

const medianSplit = (splits: readonly CpuSplit[]): CpuSplit => ({
  coffer: median(splits.map((s) => s.coffer ?? 0)),
  postgres: median(splits.map((s) => s.postgres)),
  generator: median(splits.map((s) => s.generator)),
});

/**
 * The database-creds scenario as its own block, in-memory storage only: one PostgreSQL for the
 * block (started only when the scenario is selected), then per audit setting a fresh server, and
 * per round the fastify ceiling, raw CREATE ROLE, then the scenario, each at `connections`. After
 * the rounds every lease is revoked by prefix, timed, which drops every user Coffer made.
 */
export async function runDatabaseBlock(options: DatabaseBlockOptions): Promise<{ rows: Row[]; results: DatabaseBlockResult[] }> {
  const { connections, seconds } = options;
  const mode = `closed, ${connections} conn`;
  const ceilingSeconds = Math.min(seconds, 2);
  const rows: Row[] = [];
  const results: DatabaseBlockResult[] = [];
  const fastifyAll: RoundResult[] = [];
  const rawAll: RoundResult[] = [];
  const postgres = await startPostgres();
  try {
    for (const audit of options.audits) {
      const label = `inmem${audit ? '+audit' : ''} database-creds`;
      const server = await startCofferUnderTest({ storage: 'inmem', audit });
      const cofferPid = server.process.child.pid as number;
      const raw = await openRawClients(postgres, connections);
      try {
        const next = await seedDatabaseCreds(server.origin, server.rootToken, postgres, connections);
        await closedLoop({ origin: server.origin, connections, seconds: 0.5, next }); // JIT warm-up, pool filled
        const fastify: number[] = [];
        const rawRates: number[] = [];
        const rounds: RoundResult[] = [];
        const credsCpu: CpuSplit[] = [];
        const rawCpu: CpuSplit[] = [];
        for (let round = 0; round < options.rounds; round++) {
          const ceiling = await closedLoop({ origin: options.fastify.origin, connections, seconds: ceilingSeconds, next: () => ({ method: 'GET', path: options.fastify.path }) });
          fastify.push(ceiling.okPerSecond);
          fastifyAll.push(ceiling);
          const rawRound = await withCpuSplit(() => rawCreateRoleRound({ clients: raw.clients, seconds: ceilingSeconds }), postgres.port);
          rawRates.push(rawRound.result.okPerSecond);
          rawAll.push(rawRound.result);
          rawCpu.push(rawRound.cpu);
          const credsRound = await withCpuSplit(() => closedLoop({ origin: server.origin, connections, seconds, next }), postgres.port, cofferPid);
          rounds.push(credsRound.result);
          credsCpu.push(credsRound.cpu);
          options.log(
            `${label} round ${round + 1}/${options.rounds}: ${Math.round(credsRound.result.okPerSecond)} creds/s, p99 ${credsRound.result.p99Ms} ms, ` +
              `${credsRound.result.errors} errors (raw CREATE ROLE ${Math.round(rawRound.result.okPerSecond)}/s, fastify ${Math.round(ceiling.okPerSecond)})`,
          );
        }
        const row = summarise({ kind: 'scenario', scenario: 'database-creds', storage: 'inmem', audit, mode, connections, rounds });
        rows.push(withRatios(row, fastify, { name: 'raw CREATE ROLE', perRound: rawRates }));

        // Requests still in flight when the load generator stopped create their users and leases
        // a moment later: wait until the lease count settles, or they would land after the
        // revoke-prefix began and show up as "roles left".
        const countLeases = async () => {
          const listed = await api(server.origin, 'GET', `sys/leases/lookup/${CREDS_PATH}/?list=true`, { token: server.rootToken });
          return (listed.json?.data?.keys as string[] | undefined)?.length ?? 0;
        };
        let leases = await countLeases();
        for (let settled = false; !settled; ) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          const again = await countLeases();
          settled = again === leases;
          leases = again;
        }
        const began = performance.now();
        const revoked = await api(server.origin, 'PUT', `sys/leases/revoke-prefix/${CREDS_PATH}`, { token: server.rootToken });
        const revokeMs = performance.now() - began;
        // A failed revocation is a finding to report, not a reason to lose the run's other rows.
        if (revoked.status !== 204) options.log(`${label}: revoke-prefix answered ${revoked.status}; the server's last lines:\n${server.process.output().split('\n').slice(-15).join('\n')}`);
        const rolesLeft = await cofferRolesLeft(postgres);
        options.log(`${label}: revoke-prefix of ${leases} leases answered ${revoked.status} after ${Math.round(revokeMs)} ms; ${rolesLeft} Coffer roles left in PostgreSQL`);
        results.push({ audit, leases, revokeStatus: revoked.status, revokeMs, rolesLeft, creds: medianSplit(credsCpu), rawCreateRole: medianSplit(rawCpu) });
      } finally {
        await raw.close();
        await server.stop();
      }
    }
  } finally {
    await postgres.close();
  }
  rows.push(summarise({ kind: 'ceiling', scenario: 'raw CREATE ROLE (pg client)', storage: 'postgres', audit: undefined, mode, connections, rounds: rawAll }));
  rows.push(summarise({ kind: 'ceiling', scenario: 'fastify constant route', storage: '-', audit: undefined, mode, connections, rounds: fastifyAll }));
  return { rows, results };
}
