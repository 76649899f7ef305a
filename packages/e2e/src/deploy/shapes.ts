/**
 * A small structural schema, for the custom resources kubernetes-models does not know (External
 * Secrets, Secrets Store CSI). Objects are closed unless `open`: an unknown key is a problem, so a
 * typo is caught as it is for the built-in kinds.
 */
export type Shape =
  | { type: 'string'; pattern?: RegExp; oneOf?: readonly string[] }
  | { type: 'boolean' }
  | { type: 'integer' }
  | { type: 'object'; properties: Record<string, Shape>; required?: readonly string[]; open?: boolean; exactlyOne?: readonly string[] }
  | { type: 'array'; items: Shape; minItems?: number }
  | { type: 'map'; values: Shape }
  | { type: 'any' };

export const str = (extra: { pattern?: RegExp; oneOf?: readonly string[] } = {}): Shape => ({ type: 'string', ...extra });
export const obj = (
  properties: Record<string, Shape>,
  extra: { required?: readonly string[]; open?: boolean; exactlyOne?: readonly string[] } = {},
): Shape => ({ type: 'object', properties, ...extra });
export const arr = (items: Shape, minItems = 0): Shape => ({ type: 'array', items, minItems });

/** Every problem with `value` against `shape`, as `path: what`. */
export function checkShape(value: unknown, shape: Shape, path: string): string[] {
  const at = path === '' ? '(root)' : path;
  switch (shape.type) {
    case 'any':
      return [];
    case 'string': {
      if (typeof value !== 'string') return [`${at}: must be a string`];
      if (shape.oneOf && !shape.oneOf.includes(value)) return [`${at}: must be one of ${shape.oneOf.join(', ')}, got "${value}"`];
      if (shape.pattern && !shape.pattern.test(value)) return [`${at}: "${value}" does not match ${shape.pattern}`];
      return [];
    }
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: must be a boolean`];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: must be an integer`];
    case 'array': {
      if (!Array.isArray(value)) return [`${at}: must be a list`];
      const problems = value.flatMap((item, i) => checkShape(item, shape.items, `${path}[${i}]`));
      if (value.length < (shape.minItems ?? 0)) problems.push(`${at}: needs at least ${shape.minItems} item(s)`);
      return problems;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: must be a map`];
      return Object.entries(value).flatMap(([k, v]) => checkShape(v, shape.values, `${path}.${k}`));
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: must be an object`];
      const record = value as Record<string, unknown>;
      const problems: string[] = [];
      for (const key of shape.required ?? []) if (!(key in record)) problems.push(`${at}: missing required key "${key}"`);
      if (shape.exactlyOne) {
        const given = shape.exactlyOne.filter((key) => key in record);
        if (given.length !== 1) problems.push(`${at}: exactly one of ${shape.exactlyOne.join(', ')} is needed, got ${given.length}`);
      }
      for (const [key, child] of Object.entries(record)) {
        const where = path === '' ? key : `${path}.${key}`;
        const childShape = shape.properties[key];
        if (childShape) problems.push(...checkShape(child, childShape, where));
        else if (!shape.open) problems.push(`${where}: unknown key "${key}"`);
      }
      return problems;
    }
  }
}
