import { CofferError, isPlainObject } from '@coffer/sdk';
import { readConfigDocument } from '../../config/config-document.js';
import { Located } from '../../config/located.js';
import { addEntry, LineIndex, type PosNode } from '../../config/positions.js';
import { Problems } from '../../config/problems.js';
import { isBlockKey, readPathBlock } from './path-block.js';
import { MAX_POLICY_BYTES, MAX_POLICY_PATHS, type PathRule, type Policy } from './policy.js';

/**
 * Vault's rule for policy names: trimmed and lower-cased (policy names are case-insensitive), not
 * empty. `root` is refused: it cannot be written, and a parsed policy of that name would make an
 * Acl grant everything. Slashes are allowed, as in Vault.
 */
export function normalizePolicyName(name: string): string {
  const normalized = name.trim().toLowerCase();
  if (normalized === '') throw new CofferError('invalid_request', 'policy name must not be empty');
  if (normalized === 'root') throw new CofferError('invalid_request', 'cannot update "root" policy');
  if (/[\u0000-\u001F\u007F]/.test(normalized)) {
    throw new CofferError('invalid_request', 'policy name must not contain control characters');
  }
  return normalized;
}

/**
 * Parses an ACL policy, HCL or JSON (JSON when the text starts with `{`), as Vault accepts it in
 * `sys/policies/acl/:name`. Everything wrong with it is refused in one `invalid_request`, one
 * problem per line as `policy "<name>":<line>[:<column>]: …` (syntax errors carry a column). The
 * text is not kept: the caller stores it as given.
 */
export async function parsePolicy(name: string, text: string): Promise<Policy> {
  const policyName = normalizePolicyName(name);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_POLICY_BYTES) {
    throw new CofferError('invalid_request', `policy "${policyName}" is ${bytes} bytes; the limit is ${MAX_POLICY_BYTES}`);
  }
  const problems = new Problems(`policy "${policyName}"`);
  if (!hasOnlyText(text, problems)) problems.throwIfAny();

  const root = await readConfigDocument(text, 'policy', problems);
  if (!root) {
    problems.throwIfAny();
    throw new CofferError('internal', 'policy parse failed without a reason');
  }
  for (const key of root.keys()) {
    // `name` is accepted and ignored, as in Vault: the name comes from the API path.
    if (key !== 'path' && key !== 'name') {
      problems.add(root.keyLine(key), `unknown key "${key}"; a policy holds path "<pattern>" { … } blocks`);
    }
  }

  const rules: PathRule[] = [];
  for (const group of root.items('path').map(withOnePosition)) {
    if (!isPlainObject(group.value)) {
      problems.add(group.line, 'expected path blocks: path "<pattern>" { capabilities = [...] }');
      continue;
    }
    for (const label of group.keys()) {
      if (isBlockKey(label)) {
        problems.add(group.keyLine(label), 'a path block needs its pattern as a label: path "secret/*" { … }');
        continue;
      }
      for (const body of group.items(label)) {
        if (rules.length === MAX_POLICY_PATHS) {
          problems.add(body.line, `more than ${MAX_POLICY_PATHS} path blocks; split the policy`);
          problems.throwIfAny();
        }
        const rule = readPathBlock(label, body, problems);
        if (rule) rules.push(Object.freeze(rule));
      }
    }
  }
  problems.throwIfAny();
  return Object.freeze({ name: policyName, rules: Object.freeze(rules) });
}

/**
 * HCL gives one position node per `path` block, and Located looks keys up across all of them, which
 * is quadratic in the number of blocks (a minute for 10,000). Folding them into one node first keeps
 * parsing linear.
 */
function withOnePosition(group: Located): Located {
  if (group.pos.length < 2) return group;
  const merged: PosNode = { line: group.line };
  for (const node of group.pos) {
    for (const [key, entries] of node.keys ?? []) entries.forEach((entry) => addEntry(merged, key, entry));
  }
  return new Located(group.value, group.line, [merged]);
}

/** Control characters (other than tab and line ends) mean this is not policy text; say so plainly. */
function hasOnlyText(text: string, problems: Problems): boolean {
  const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.exec(text);
  if (!control) return true;
  const lines = new LineIndex(text);
  const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  problems.add(lines.line(control.index), `the control character U+${code} is not allowed in a policy`, lines.column(control.index));
  return false;
}
