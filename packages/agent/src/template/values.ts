/**
 * How Go values are modelled while a template runs:
 * - `undefined` is Go's invalid reflect.Value (no data at all: `<no value>`),
 * - `null` is a nil interface (a JSON null, or a missing map key under missingkey=zero),
 * - strings, numbers and booleans are themselves; arrays are slices; plain objects are
 *   map[string]interface{}; GoStruct instances are pointers to structs with a fixed field set
 *   (consul-template's *dependency.Secret), whose unknown fields are errors, as in Go.
 */
export class GoStruct {
  constructor(
    /** The Go type as messages name it, e.g. `*dependency.Secret`. */
    readonly typeName: string,
    /** Fields in declaration order (Go prints and marshals them in that order). */
    readonly fields: ReadonlyMap<string, unknown>,
  ) {}
}

export type GoMap = Record<string, unknown>;

export function isGoMap(value: unknown): value is GoMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof GoStruct) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Go's template truth: false, 0, nil, and empty strings, slices and maps are false; structs are true. */
export function truth(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof GoStruct) return true;
  if (isGoMap(value)) return Object.keys(value).length > 0;
  return true;
}

/** The Go type of a value as error messages and `%!verb(type=value)` show it. */
export function goTypeName(value: unknown): string {
  if (value === undefined) return 'invalid';
  if (value === null) return 'interface {}';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (Array.isArray(value)) return '[]interface {}';
  if (value instanceof GoStruct) return value.typeName;
  if (isGoMap(value)) return 'map[string]interface {}';
  return typeof value;
}

/** Go sorts map keys when it ranges over or prints a map. */
export function sortedKeys(map: GoMap): string[] {
  return Object.keys(map).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
