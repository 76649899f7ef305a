/**
 * A function callable from a template. Arity is checked before the call with Go's wording; a
 * thrown error becomes `error calling NAME: …`. Functions may be async (`secret` fetches).
 */
export interface TemplateFunc {
  minArgs: number;
  /** Infinity for variadic functions. */
  maxArgs: number;
  call(args: unknown[]): unknown;
}

export type FuncMap = ReadonlyMap<string, TemplateFunc>;

export function fn(minArgs: number, maxArgs: number, call: (args: unknown[]) => unknown): TemplateFunc {
  return { minArgs, maxArgs, call };
}

/** A string argument, or the error Go's reflection would give for another type. */
export function stringArg(value: unknown, position: number): string {
  if (typeof value === 'string') return value;
  throw new Error(`wrong type for value; expected string; got ${describe(value)} (argument ${position + 1})`);
}

/** An integer argument. */
export function intArg(value: unknown, position: number): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new Error(`wrong type for value; expected int; got ${describe(value)} (argument ${position + 1})`);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (Array.isArray(value)) return '[]interface {}';
  if (typeof value === 'object') return 'map[string]interface {}';
  return typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'float64') : typeof value === 'boolean' ? 'bool' : typeof value;
}
