import type { DatabaseBlockResult } from '../database-block.js';

const us = (v: number | undefined) => (v === undefined ? '?' : String(Math.round(v)));

/**
 * One line per database block under the table: where a credential's CPU goes (Coffer, PostgreSQL,
 * the load generator) next to a raw CREATE ROLE's, and what revoking every lease cost.
 */
export function databaseNoteLines(results: readonly DatabaseBlockResult[]): string[] {
  return results.map((r) => {
    const perSecond = r.revokeMs > 0 ? Math.round((r.leases / r.revokeMs) * 1000) : 0;
    return (
      `- database-creds, inmem, ${r.audit ? 'file audit' : 'no audit'}: CPU per credential ${us(r.creds.coffer)} µs Coffer + ${us(r.creds.postgres)} µs PostgreSQL ` +
      `+ ${us(r.creds.generator)} µs load generator; a raw CREATE ROLE: ${us(r.rawCreateRole.postgres)} µs PostgreSQL + ${us(r.rawCreateRole.generator)} µs pg client. ` +
      (r.revokeStatus === 204
        ? `revoke-prefix of ${r.leases} leases: ${(r.revokeMs / 1000).toFixed(1)} s (${perSecond}/s), ${r.rolesLeft} roles left.`
        : `revoke-prefix of ${r.leases} leases FAILED (${r.revokeStatus}) after ${(r.revokeMs / 1000).toFixed(1)} s, ${r.rolesLeft} roles left.`)
    );
  });
}
