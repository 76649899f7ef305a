import { describe, expect, it } from 'vitest';
import { selectScenarios } from './scenario-selection.js';
import { SCENARIOS } from './scenarios.js';

describe('selectScenarios', () => {
  it('runs every matrix scenario and the database block when none are named', () => {
    expect(selectScenarios(undefined)).toEqual({ matrix: [...SCENARIOS], database: true });
  });

  it('runs only the database block when only database-creds is named', () => {
    expect(selectScenarios(['database-creds'])).toEqual({ matrix: [], database: true });
  });

  it('keeps the matrix order and leaves the database block out unless named', () => {
    expect(selectScenarios(['transit-encrypt-1k', 'kv-read'])).toEqual({ matrix: ['kv-read', 'transit-encrypt-1k'], database: false });
  });

  it('refuses a name it does not know', () => {
    expect(() => selectScenarios(['kv-read', 'kv-raed'])).toThrow(/unknown scenario kv-raed/);
  });
});
