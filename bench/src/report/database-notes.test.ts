import { describe, expect, it } from 'vitest';
import { databaseNoteLines } from './database-notes.js';

describe('databaseNoteLines', () => {
  it('gives the CPU split per credential, the raw statement for comparison, and the revocation rate', () => {
    const lines = databaseNoteLines([
      { audit: true, leases: 1200, revokeStatus: 204, revokeMs: 4000, rolesLeft: 0, creds: { coffer: 812.4, postgres: 2100, generator: 95 }, rawCreateRole: { postgres: 1700.6, generator: 40 } },
    ]);
    expect(lines).toEqual([
      '- database-creds, inmem, file audit: CPU per credential 812 µs Coffer + 2100 µs PostgreSQL + 95 µs load generator; ' +
        'a raw CREATE ROLE: 1701 µs PostgreSQL + 40 µs pg client. revoke-prefix of 1200 leases: 4.0 s (300/s), 0 roles left.',
    ]);
  });

  it('says so when the revocation failed', () => {
    const [line] = databaseNoteLines([
      { audit: false, leases: 900, revokeStatus: 500, revokeMs: 2500, rolesLeft: 40, creds: { coffer: 1, postgres: 1, generator: 1 }, rawCreateRole: { postgres: 1, generator: 1 } },
    ]);
    expect(line).toMatch(/revoke-prefix of 900 leases FAILED \(500\) after 2\.5 s, 40 roles left\.$/);
  });
});
