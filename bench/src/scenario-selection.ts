import { SCENARIOS, type ScenarioName } from './scenarios.js';

/** Runs in its own block (in memory only, its own PostgreSQL), not in every storage block. */
export const DATABASE_SCENARIO = 'database-creds';

export interface ScenarioSelection {
  /** Scenarios of the storage × audit matrix. */
  matrix: ScenarioName[];
  /** Whether the database-creds block runs. */
  database: boolean;
}

/**
 * Splits `--scenarios a,b` (everything when absent) into matrix scenarios and the database block.
 * An unknown name is an error: silently measuring less than was asked for would mislead.
 */
export function selectScenarios(requested: readonly string[] | undefined): ScenarioSelection {
  if (!requested) return { matrix: [...SCENARIOS], database: true };
  const known = new Set<string>([...SCENARIOS, DATABASE_SCENARIO]);
  const unknown = requested.filter((name) => !known.has(name));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  return {
    matrix: SCENARIOS.filter((name) => requested.includes(name)),
    database: requested.includes(DATABASE_SCENARIO),
  };
}
