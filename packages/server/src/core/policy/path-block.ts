import { isCofferError, isPlainObject, parseDurationSeconds } from '@coffer/sdk';
import type { Located } from '../../config/located.js';
import type { Problems } from '../../config/problems.js';
import { CAPABILITIES, isCapability, type Capability } from './capabilities.js';
import { patternProblem } from './pattern.js';
import type { ParameterConstraints, PathRule } from './policy.js';

/** Keys a path block may hold: Vault's open-source set (vault/policy.go, parsePaths). */
const BLOCK_KEYS = [
  'capabilities',
  'policy',
  'allowed_parameters',
  'denied_parameters',
  'required_parameters',
  'min_wrapping_ttl',
  'max_wrapping_ttl',
  'comment',
  'subscribe_event_types',
] as const;
const KNOWN_KEYS = new Set<string>(BLOCK_KEYS);
/** Vault Enterprise controls: ignoring them would grant without the approval or MFA they demand. */
const ENTERPRISE_KEYS = new Set(['control_group', 'mfa_methods']);

/** The deprecated `policy = "…"` shorthand, as Vault maps it. */
const SHORTHAND: Readonly<Record<string, readonly Capability[]>> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

/** Whether a label is really a block key, i.e. the author wrote `path { … }` without a pattern. */
export function isBlockKey(label: string): boolean {
  return KNOWN_KEYS.has(label) || ENTERPRISE_KEYS.has(label);
}

/**
 * Reads one `path "<label>" { … }` block. Every problem is recorded (so an author sees them all at
 * once) and the rule is returned only when there were none.
 */
export function readPathBlock(label: string, body: Located, problems: Problems): PathRule | undefined {
  const before = problems.size;
  const report = (line: number, message: string): void => problems.add(line, `path "${label}": ${message}`);
  // Policy paths start after the API's `/v1/`, so a leading slash is dropped, as Vault does.
  const pattern = label.startsWith('/') ? label.slice(1) : label;
  const refused = patternProblem(pattern);
  if (refused !== undefined) report(body.line, refused);
  if (!isPlainObject(body.value)) {
    report(body.line, 'expected a block: path "<pattern>" { capabilities = [...] }');
    return undefined;
  }

  for (const key of body.keys()) {
    if (ENTERPRISE_KEYS.has(key)) report(body.keyLine(key), `"${key}" is a Vault Enterprise feature Coffer does not have`);
    else if (!KNOWN_KEYS.has(key)) {
      report(body.keyLine(key), `unknown key "${key}"; a path block may hold ${BLOCK_KEYS.join(', ')}`);
    }
  }

  const fields = new BlockFields(body as ObjectLocated, report);
  const capabilities = readCapabilities(fields, report);
  const allowed = readConstraints(fields, 'allowed_parameters', report);
  const denied = readConstraints(fields, 'denied_parameters', report);
  const required = fields.strings('required_parameters');
  for (const name of required ?? []) {
    if (name.includes('*')) report(fields.line('required_parameters'), `required parameter "${name}": "*" is not allowed here`);
  }
  // Checked for shape, then ignored: Coffer has no event subscriptions to filter.
  fields.strings('subscribe_event_types');
  const minWrappingTtl = readTtl(fields, 'min_wrapping_ttl', report);
  const maxWrappingTtl = readTtl(fields, 'max_wrapping_ttl', report);
  if (minWrappingTtl && maxWrappingTtl && maxWrappingTtl < minWrappingTtl) {
    report(fields.line('max_wrapping_ttl'), 'max_wrapping_ttl cannot be less than min_wrapping_ttl');
  }
  if (problems.size > before) return undefined;

  const base = { pattern, line: body.line };
  // A deny block denies everything; Vault keeps nothing else of it.
  if (capabilities.includes('deny')) return { ...base, capabilities: ['deny'] };
  return {
    ...base,
    capabilities,
    ...(allowed ? { allowedParameters: allowed } : {}),
    ...(denied ? { deniedParameters: denied } : {}),
    ...(required && required.length > 0 ? { requiredParameters: required } : {}),
    ...(minWrappingTtl ? { minWrappingTtl } : {}),
    ...(maxWrappingTtl ? { maxWrappingTtl } : {}),
  };
}

type Report = (line: number, message: string) => void;
type ObjectLocated = Located & { value: Record<string, unknown> };

/** The keys of one block body, read by shape, each problem reported at its line. */
class BlockFields {
  constructor(
    readonly body: ObjectLocated,
    readonly report: Report,
  ) {}

  has(key: string): boolean {
    return Object.hasOwn(this.body.value, key);
  }

  value(key: string): unknown {
    return this.body.value[key];
  }

  line(key: string): number {
    return this.body.keyLine(key);
  }

  /** The elements of a list-valued key, each with its own line; undefined (and reported) otherwise. */
  list(key: string, example: string): Located[] | undefined {
    if (!this.has(key)) return undefined;
    if (Array.isArray(this.value(key))) return this.body.items(key);
    this.report(this.line(key), `${key} must be a list, e.g. ${example}`);
    return undefined;
  }

  strings(key: string): string[] | undefined {
    const items = this.list(key, `${key} = ["a", "b"]`);
    if (items === undefined) return undefined;
    const bad = items.find((item) => typeof item.value !== 'string');
    if (bad) {
      this.report(bad.line, `${key} must be a list of strings, not ${show(bad.value)}`);
      return undefined;
    }
    return items.map((item) => item.value as string);
  }

  /** An object-valued key, with positions for its own keys. */
  map(key: string): ObjectLocated | undefined {
    return this.has(key) && isPlainObject(this.value(key)) ? (this.body.items(key)[0] as ObjectLocated) : undefined;
  }
}

/** `capabilities` plus the legacy `policy` shorthand, de-duplicated in declaration order. */
function readCapabilities(fields: BlockFields, report: Report): Capability[] {
  const found = new Set<Capability>();
  if (fields.has('policy')) {
    const shorthand = fields.value('policy');
    const mapped = typeof shorthand === 'string' ? SHORTHAND[shorthand] : undefined;
    if (mapped) mapped.forEach((c) => found.add(c));
    else report(fields.line('policy'), `invalid policy ${show(shorthand)}; use one of deny, read, write, sudo`);
  }
  for (const item of fields.list('capabilities', 'capabilities = ["read", "list"]') ?? []) {
    if (typeof item.value === 'string' && isCapability(item.value)) found.add(item.value);
    else report(item.line, `unknown capability ${show(item.value)}; the capabilities are ${CAPABILITIES.join(', ')}`);
  }
  return [...found];
}

/**
 * `allowed_parameters = { "name" = [values…] }`. Names are matched case-insensitively, as in Vault.
 * `*` stands for every parameter and takes no values; a `*` inside a name, or a JSON-pointer name
 * (`/a/b`, newer Vault), is refused rather than silently never matching.
 */
function readConstraints(fields: BlockFields, key: string, report: Report): ParameterConstraints | undefined {
  if (!fields.has(key)) return undefined;
  const field = fields.map(key);
  if (field === undefined) {
    report(fields.line(key), `${key} must be a map of parameter names to lists of values: ${key} = { "name" = ["a", "b"] }`);
    return undefined;
  }
  const constraints = new Map<string, readonly unknown[]>();
  for (const name of field.keys()) {
    const line = field.keyLine(name);
    const values = field.value[name];
    const lower = name.toLowerCase();
    if (name.startsWith('/')) report(line, `${key}: JSON-pointer parameter names such as "${name}" are not supported`);
    else if (name.includes('*') && name !== '*') report(line, `${key}: "${name}": "*" may only stand alone, for every parameter`);
    else if (!Array.isArray(values)) report(line, `${key}: "${name}" must be a list of values ([] for any value)`);
    else if (name === '*' && values.length > 0) report(line, `${key}: "*" takes no values; write "*" = []`);
    else if (constraints.has(lower)) report(line, `${key}: parameter names ignore case, and "${name}" is given twice`);
    else constraints.set(lower, Object.freeze([...values]));
  }
  return constraints;
}

/** A duration: seconds as a number or digits, or a string such as "90s" or "1h". */
function readTtl(fields: BlockFields, key: string, report: Report): number | undefined {
  if (!fields.has(key)) return undefined;
  try {
    return parseDurationSeconds(fields.value(key), key);
  } catch (error) {
    if (!isCofferError(error)) throw error;
    report(fields.line(key), error.message);
    return undefined;
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? String(value));
}
