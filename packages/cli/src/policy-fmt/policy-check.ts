import type { Body, BodyNode, Expr } from './hcl-tree.js';

/** One thing wrong with a policy, at a line of its file. */
export interface PolicyProblem {
  line: number;
  message: string;
}

/** The capabilities the server accepts (Vault's, with its newer `subscribe` and `recover`). */
const CAPABILITIES = new Set(['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny', 'subscribe', 'recover']);
/** Vault's deprecated `policy = "…"` shorthand values. */
const SHORTHANDS = new Set(['deny', 'read', 'write', 'sudo']);
/** Keys a path block may hold in Vault (vault/policy.go, parsePaths), Enterprise ones included. */
const PATH_KEYS = new Set([
  'capabilities',
  'policy',
  'allowed_parameters',
  'denied_parameters',
  'required_parameters',
  'min_wrapping_ttl',
  'max_wrapping_ttl',
  'comment',
  'subscribe_event_types',
  'mfa_methods',
  'control_group',
]);
/** Map-valued keys, which HCL 1 let authors write as blocks (`allowed_parameters { … }`). */
const MAP_KEYS = new Set(['allowed_parameters', 'denied_parameters', 'control_group']);

/**
 * Vault's `policy fmt` refuses what is not a policy before formatting it, with the messages of
 * vault's ParseACLPolicy: unknown keys, path blocks without a pattern, unknown capabilities or
 * shorthands. What the server decides alone (pattern rules, parameter values) is left to it.
 */
export function checkPolicy(root: Body): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const node of significant(root)) {
    if (node.kind === 'attribute' && node.key === 'name') continue;
    if (node.kind !== 'block' || node.type !== 'path') {
      problems.push({ line: node.line, message: `invalid key "${keyOf(node)}"` });
      continue;
    }
    const label = node.labels[0];
    if (node.labels.length !== 1 || label === undefined || !label.startsWith('"')) {
      problems.push({ line: node.line, message: 'a path block needs its pattern as one quoted label: path "secret/*" { … }' });
      continue;
    }
    checkPathBlock(label, node.body, problems);
  }
  return problems;
}

function checkPathBlock(label: string, body: Body, problems: PolicyProblem[]): void {
  const report = (line: number, message: string) => problems.push({ line, message: `path ${label}: ${message}` });
  for (const node of significant(body)) {
    const key = keyOf(node);
    if (!PATH_KEYS.has(key)) {
      report(node.line, `invalid key "${key}"`);
      continue;
    }
    if (node.kind === 'block') {
      if (!MAP_KEYS.has(key)) report(node.line, `"${key}" must be an attribute: ${key} = …`);
      continue;
    }
    if (key === 'capabilities') {
      if (node.value.kind !== 'list') {
        report(node.line, 'capabilities must be a list, e.g. capabilities = ["read", "list"]');
        continue;
      }
      for (const item of node.value.items) {
        if (item.kind !== 'item') continue;
        const name = stringValue(item.value);
        if (name === undefined || !CAPABILITIES.has(name)) report(node.line, `invalid capability ${quoted(item.value)}`);
      }
    } else if (key === 'policy') {
      const shorthand = stringValue(node.value);
      if (shorthand === undefined || !SHORTHANDS.has(shorthand)) report(node.line, `invalid policy ${quoted(node.value)}`);
    }
  }
}

function significant(body: Body): Exclude<BodyNode, { kind: 'comment' }>[] {
  return body.nodes.filter((node): node is Exclude<BodyNode, { kind: 'comment' }> => node.kind !== 'comment');
}

function keyOf(node: Exclude<BodyNode, { kind: 'comment' }>): string {
  const raw = node.kind === 'block' ? node.type : node.key;
  return raw.startsWith('"') ? unquote(raw) : raw;
}

/** A quoted literal's value; undefined for anything else (numbers, lists, templates). */
function stringValue(expr: Expr): string | undefined {
  if (expr.kind !== 'literal' || !expr.text.startsWith('"')) return undefined;
  return unquote(expr.text);
}

function unquote(text: string): string {
  try {
    return JSON.parse(text) as string;
  } catch {
    return text.slice(1, -1);
  }
}

function quoted(expr: Expr): string {
  if (expr.kind === 'literal') return expr.text.startsWith('"') ? expr.text : `"${expr.text}"`;
  return expr.kind === 'list' ? 'a list' : 'a map';
}
