import { isPlainObject } from '@coffer/sdk';
import { showValue, type FieldValues, type Fields } from './fields.js';
import type { Located } from './located.js';
import type { Problems } from './problems.js';

/** Reports a problem about `key` (its line, or the stanza's line when absent). */
export type Report = (key: string | undefined, message: string) => void;

/** One type of a stanza kind, e.g. `file` for `storage`: its keys and how they become config. */
export interface StanzaType<T> {
  readonly fields: Fields;
  read(body: Located, context: string, problems: Problems): T | undefined;
}

/**
 * Declares a stanza type. `build` runs only when every key checked out, with typed values and
 * defaults filled in; it adds cross-key rules (TLS needs both files) through `report`.
 */
export function defineStanza<F extends Fields, T>(
  fields: F,
  build: (values: FieldValues<F>, report: Report) => T | undefined,
): StanzaType<T> {
  return {
    fields,
    read(body, context, problems) {
      const { values, ok } = readFields(body, fields, problems, { context });
      if (!ok) return undefined;
      let failed = false;
      const report: Report = (key, message) => {
        failed = true;
        problems.add(key === undefined ? body.line : body.keyLine(key), `${context}: ${message}`);
      };
      const result = build(values, report);
      return failed ? undefined : result;
    },
  };
}

/** A stanza kind (`storage`, `listener`, later `seal`, `audit`...): its types and how many may appear. */
export interface StanzaKind<T> {
  readonly name: string;
  readonly types: Readonly<Record<string, StanzaType<T>>>;
  readonly min: number;
  readonly max: number;
  /** Shown when the stanza is missing. */
  readonly example: string;
}

export interface StanzaInstance<T> {
  type: string;
  line: number;
  body: Located;
  config: T;
}

/**
 * Reads every stanza of one kind, whatever shape the document gives it: hcl2json's
 * `{listener: {tcp: [body, …]}}`, Vault's JSON `{"listener": {"tcp": {…}}}` or
 * `{"listener": [{"tcp": {…}}, …]}`. Instances come back in file order.
 */
export function readStanzas<T>(root: Located, kind: StanzaKind<T>, problems: Problems): StanzaInstance<T>[] {
  const found: Array<{ type: string; body: Located }> = [];
  let untyped = false;
  for (const group of root.items(kind.name)) {
    const types = group.keys();
    const bodies = types.flatMap((type) => group.items(type).map((body) => ({ type, body })));
    // `storage { path = "x" }` (no type): hcl2json gives {storage: [{path: "x"}]}, so what look
    // like types are really keys with non-object values.
    if (bodies.length === 0 || bodies.some(({ body }) => !isPlainObject(body.value))) {
      problems.add(group.line, `${kind.name} needs a type, e.g. ${kind.example}`);
      untyped = true;
      continue;
    }
    found.push(...bodies);
  }
  found.sort((a, b) => a.body.line - b.body.line);

  const instances: StanzaInstance<T>[] = [];
  found.forEach(({ type, body }, index) => {
    const first = found[0];
    if (index >= kind.max && first) {
      const what =
        kind.max === 1
          ? `only one ${kind.name} stanza is allowed`
          : `at most ${kind.max} ${kind.name} stanzas are allowed`;
      problems.add(body.line, `${what}; the first is at line ${first.body.line}`);
      return;
    }
    const stanzaType = Object.hasOwn(kind.types, type) ? kind.types[type] : undefined;
    if (!stanzaType) {
      const supported = Object.keys(kind.types).join(', ');
      problems.add(body.line, `unknown ${kind.name} type "${type}" (supported: ${supported})`);
      return;
    }
    const config = stanzaType.read(body, `${kind.name} "${type}"`, problems);
    if (config !== undefined) instances.push({ type, line: body.line, body, config });
  });
  if (found.length < kind.min && !untyped) {
    problems.add(undefined, `a ${kind.name} stanza is required, e.g. ${kind.example}`);
  }
  return instances;
}

export interface ReadFieldsOptions {
  /** Names the stanza in messages: `storage "file"`. */
  context?: string;
  /** Keys handled elsewhere (stanzas at the top level), neither read nor refused here. */
  skip?: ReadonlySet<string>;
}

/**
 * Checks an object's keys against `fields`: refuses unknown keys, wrong types and missing required
 * keys, fills defaults. `values` holds the keys that checked out; `ok` is false when anything was
 * wrong (the problems say what).
 */
export function readFields<F extends Fields>(
  node: Located,
  fields: F,
  problems: Problems,
  options: ReadFieldsOptions = {},
): { values: FieldValues<F>; ok: boolean } {
  const { context, skip = new Set<string>() } = options;
  const where = (key: string) => (context === undefined ? `"${key}"` : `"${key}" in ${context}`);
  const before = problems.size;
  const values: Record<string, unknown> = {};

  for (const key of node.keys()) {
    if (skip.has(key)) continue;
    const line = node.keyLine(key);
    const spec = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (!spec) {
      const hint = closest(key, [...Object.keys(fields), ...skip]);
      const suffix = hint === undefined ? '' : ` (did you mean "${hint}"?)`;
      problems.add(line, `unknown key "${key}"${context === undefined ? '' : ` in ${context}`}${suffix}`);
      continue;
    }
    const raw = isPlainObject(node.value) ? node.value[key] : undefined;
    if (typeof raw === 'string' && /[$%]\{/.test(raw)) {
      problems.add(line, `${where(key)}: "\${...}" is not expanded; Coffer, like Vault, takes config values literally`);
      continue;
    }
    const checked = spec.check(raw);
    if (checked.ok) {
      values[key] = checked.value;
    } else {
      const got = spec.sensitive ? '' : `, got ${showValue(raw)}`;
      problems.add(line, `${where(key)}: ${checked.expected}${got}`);
    }
  }
  for (const [key, spec] of Object.entries(fields)) {
    if (Object.hasOwn(values, key) || (isPlainObject(node.value) && Object.hasOwn(node.value, key))) continue;
    if (spec.required) {
      problems.add(node.line, `missing required key "${key}"${context === undefined ? '' : ` in ${context}`}`);
    } else if (spec.default !== undefined) {
      values[key] = spec.default;
    }
  }
  return { values: values as FieldValues<F>, ok: problems.size === before };
}

/** The nearest candidate to a mistyped key, for "did you mean". */
function closest(key: string, candidates: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    // Short names are too easy to reach: "ui" is two edits from "x".
    const allowed = Math.min(2, Math.floor(name.length / 3));
    if (distance <= allowed && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
