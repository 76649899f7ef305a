import type { AuditEntry } from './audit-entry.js';

const GO_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON text as Go's `json.Encoder` writes it: `<`, `>`, `&` and the line separators U+2028/U+2029
 * escaped. JSON.stringify leaves these characters only inside strings, so replacing them
 * everywhere is exact.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] as string);
}

/** One audit line as the sinks receive it: the device's `prefix`, then the JSON, without the newline. */
export function encodeAuditLine(entry: AuditEntry, prefix = ''): string {
  return prefix + goJson(entry);
}
