import { randomBytes } from 'node:crypto';
import type { PostgresServer } from '@coffer/testkit';
import { CREATE_ROLE_STATEMENT, fillTemplate } from '../database-creds.js';
import type { RoundResult } from '../load/request-spec.js';
import { percentile } from '../stats.js';

let roleCounter = 0;

/**
 * Raw `CREATE ROLE … LOGIN PASSWORD …` from this process over superuser connections,
 * one statement in flight on each, and nothing else (no transaction, no lease, no HTTP): what this
 * PostgreSQL can create, so the database-creds rows read as a share of it. The statement is the
 * scenario's own, with a fresh 20-character password each time; PostgreSQL hashes it (SCRAM) as
 * it does Coffer's. The roles stay: dropping them would cost as much again and the cluster is
 * thrown away with the run.
 */
export async function rawCreateRoleRound(options: { clients: readonly RawClient[]; seconds: number }): Promise<RoundResult> {
  const { clients } = options;
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + options.seconds * 1000;
  const lane = async (client: RawClient) => {
    while (performance.now() < end) {
      const sql = fillTemplate(CREATE_ROLE_STATEMENT, {
        name: `bench_raw_${process.pid}_${roleCounter++}`,
        password: randomBytes(15).toString('base64url'),
        expiration: new Date(Date.now() + 35_000).toISOString(),
      });
      const began = performance.now();
      try {
        await client.query(sql);
        ok++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(clients.map(lane));
  const seconds = (performance.now() - start) / 1000;
  return { okPerSecond: ok / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), errors, total: ok + errors, seconds };
}

export type RawClient = Awaited<ReturnType<PostgresServer['connect']>>;

/**
 * The ceiling's superuser connections, opened once per block like Coffer's pool: no login (SCRAM)
 * inside a round, and backends that live through it, so their CPU time can still be read after.
 */
export async function openRawClients(postgres: PostgresServer, count: number): Promise<{ clients: RawClient[]; close(): Promise<void> }> {
  const clients = await Promise.all(Array.from({ length: count }, () => postgres.connect()));
  return { clients, close: async () => void (await Promise.all(clients.map((client) => client.end().catch(() => undefined)))) };
}
