import { GoStruct, isGoMap, sortedKeys } from './values.js';

/**
 * Go's encoding/json Marshal and MarshalIndent as consul-template's toJSON/toJSONPretty use them:
 * map keys sorted, struct fields in declaration order, and `<`, `>`, `&`, U+2028, U+2029 escaped
 * unless `escapeHtml` is off (toUnescapedJSON).
 */
export function goJson(value: unknown, options: { indent?: string; escapeHtml?: boolean } = {}): string {
  return encode(value, options.indent, options.escapeHtml ?? true, '');
}

function encode(value: unknown, indent: string | undefined, escapeHtml: boolean, prefix: string): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return encodeString(value, escapeHtml);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`json: unsupported value: ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === 'boolean') return String(value);
  const inner = indent === undefined ? '' : prefix + indent;
  const open = (items: string[], left: string, right: string) => {
    if (items.length === 0) return left + right;
    if (indent === undefined) return left + items.join(',') + right;
    return `${left}\n${items.map((item) => inner + item).join(',\n')}\n${prefix}${right}`;
  };
  const colon = indent === undefined ? ':' : ': ';
  if (Array.isArray(value)) return open(value.map((v) => encode(v, indent, escapeHtml, inner)), '[', ']');
  if (value instanceof GoStruct) {
    const items = [...value.fields].map(([k, v]) => encodeString(k, escapeHtml) + colon + encode(v, indent, escapeHtml, inner));
    return open(items, '{', '}');
  }
  if (isGoMap(value)) {
    const items = sortedKeys(value).map((k) => encodeString(k, escapeHtml) + colon + encode(value[k], indent, escapeHtml, inner));
    return open(items, '{', '}');
  }
  throw new Error(`json: unsupported type: ${typeof value}`);
}

function encodeString(text: string, escapeHtml: boolean): string {
  let out = JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  if (escapeHtml) out = out.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return out;
}
