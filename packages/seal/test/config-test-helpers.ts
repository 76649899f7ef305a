import { expect } from 'vitest';
import { SealConfigError } from '../src/seal-config-error.js';

/** The SealConfigError a parse throws, with its problems as `key: message` lines. */
export function refusal(parse: () => unknown): { error: SealConfigError; problems: string[] } {
  let error: unknown;
  try {
    parse();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SealConfigError);
  const refused = error as SealConfigError;
  expect(refused.code).toBe('invalid_request');
  return { error: refused, problems: refused.problems.map((p) => `${p.key ?? '-'}: ${p.message}`) };
}
