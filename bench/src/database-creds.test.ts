import { describe, expect, it } from 'vitest';
import { CREATE_ROLE_STATEMENT, fillTemplate } from './database-creds.js';

describe('fillTemplate', () => {
  it('renders the creation statement the raw ceiling runs, placeholder by placeholder', () => {
    expect(fillTemplate(CREATE_ROLE_STATEMENT, { name: 'bench_raw_1', password: 'pw', expiration: '2030-01-01T00:00:00.000Z' })).toBe(
      `CREATE ROLE "bench_raw_1" WITH LOGIN PASSWORD 'pw' VALID UNTIL '2030-01-01T00:00:00.000Z';`,
    );
  });

  it('leaves a placeholder it has no value for', () => {
    expect(fillTemplate('{{name}} {{other}}', { name: 'a' })).toBe('a {{other}}');
  });
});
