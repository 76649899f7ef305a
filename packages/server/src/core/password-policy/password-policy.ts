import { randomInt } from 'node:crypto';
import { CofferError, isPlainObject } from '@coffer/sdk';
import { readConfigDocument } from '../../config/config-document.js';
import { Problems } from '../../config/problems.js';

/** One `rule "charset" { charset = "…", min-chars = N }` of a password policy. */
export interface CharsetRule {
  /** The rule's characters (code points), deduplicated. */
  readonly chars: readonly string[];
  readonly minChars: number;
}

/**
 * A password policy as Vault defines it: a length and charset rules. Passwords are drawn
 * uniformly from the union of the rules' charsets and kept only when every rule is met.
 */
export interface PasswordPolicy {
  readonly length: number;
  readonly rules: readonly CharsetRule[];
  /** The union of the rules' charsets, sorted. */
  readonly charset: readonly string[];
}

/** Vault's limits for stored policies (sys/policies/password). */
export const MIN_PASSWORD_LENGTH = 4;
export const MAX_PASSWORD_LENGTH = 100;
const MAX_CHARSET = 256;
const MAX_POLICY_BYTES = 16 * 1024;
/** Vault gives generation one second; a policy that cannot be met in that time is refused. */
const GENERATE_TIMEOUT_MS = 1000;

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';

/** Vault's default: 20 characters with at least one lower-case, upper-case, digit and dash. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = policyOf(20, [
  { chars: [...LOWER], minChars: 1 },
  { chars: [...UPPER], minChars: 1 },
  { chars: [...DIGITS], minChars: 1 },
  { chars: ['-'], minChars: 1 },
]);

export const DEFAULT_PASSWORD_POLICY_HCL = `length = 20
rule "charset" {
  charset   = "${LOWER}"
  min-chars = 1
}
rule "charset" {
  charset   = "${UPPER}"
  min-chars = 1
}
rule "charset" {
  charset   = "${DIGITS}"
  min-chars = 1
}
rule "charset" {
  charset   = "-"
  min-chars = 1
}
`;

/**
 * Parses Vault's password policy format (HCL, or JSON of the same shape) with the server's HCL
 * loader. Everything wrong is reported in one `invalid_request`.
 */
export async function parsePasswordPolicy(text: string): Promise<PasswordPolicy> {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) throw invalid(`the policy is larger than ${MAX_POLICY_BYTES} bytes`);
  const problems = new Problems('password policy');
  const root = await readConfigDocument(text, 'password-policy', problems);
  problems.throwIfAny();
  const value = root?.value;
  if (!isPlainObject(value)) throw invalid('the policy must be an object with "length" and "rule" blocks');
  for (const key of Object.keys(value)) {
    if (key !== 'length' && key !== 'rule') throw invalid(`unknown key "${key}"; a policy holds "length" and rule "charset" { … } blocks`);
  }
  const length = value.length;
  if (typeof length !== 'number' || !Number.isSafeInteger(length)) throw invalid('"length" must be an integer');
  const rules = ruleBodies(value.rule).map(([type, body]) => {
    if (type !== 'charset') throw invalid(`unrecognized rule type "${type}"`);
    return charsetRule(body);
  });
  const policy = policyOf(length, rules);
  validate(policy);
  return policy;
}

/** Stored policies must also fit Vault's length limits and be satisfiable. */
export function assertStorable(policy: PasswordPolicy): void {
  if (policy.length < MIN_PASSWORD_LENGTH || policy.length > MAX_PASSWORD_LENGTH) {
    throw invalid(`passwords must be between ${MIN_PASSWORD_LENGTH} and ${MAX_PASSWORD_LENGTH} characters`);
  }
  // A policy nothing can satisfy in time would fail every later generation; refuse it now.
  generatePassword(policy);
}

/** A password from the policy: uniform over its charset, retried until every rule holds. */
export function generatePassword(policy: PasswordPolicy): string {
  const deadline = Date.now() + GENERATE_TIMEOUT_MS;
  const { charset, length, rules } = policy;
  for (;;) {
    const candidate: string[] = [];
    for (let i = 0; i < length; i++) candidate.push(charset[randomInt(charset.length)] as string);
    if (rules.every((rule) => passes(rule, candidate))) return candidate.join('');
    if (Date.now() > deadline) {
      throw new CofferError('invalid_request', 'unable to generate a password from the policy: are the rules impossible?');
    }
  }
}

function passes(rule: CharsetRule, candidate: readonly string[]): boolean {
  if (rule.minChars <= 0) return true;
  let count = 0;
  for (const ch of candidate) if (rule.chars.includes(ch) && ++count >= rule.minChars) return true;
  return false;
}

/**
 * hcl2json gives `rule "charset" {…}` blocks as `{ charset: [body, …] }`; JSON policies may give
 * `[{ charset: body }, …]` too. Both become (type, body) pairs in document order.
 */
function ruleBodies(raw: unknown): [string, unknown][] {
  if (raw === undefined) return [];
  const groups = Array.isArray(raw) ? raw : [raw];
  const out: [string, unknown][] = [];
  for (const group of groups) {
    if (!isPlainObject(group)) throw invalid('rules are blocks: rule "charset" { charset = "…" }');
    for (const [type, bodies] of Object.entries(group)) {
      for (const body of Array.isArray(bodies) ? bodies : [bodies]) out.push([type, body]);
    }
  }
  return out;
}

function charsetRule(body: unknown): CharsetRule {
  if (!isPlainObject(body)) throw invalid('a charset rule is a block: rule "charset" { charset = "…" }');
  for (const key of Object.keys(body)) {
    if (key !== 'charset' && key !== 'min-chars') throw invalid(`unknown key "${key}" in a charset rule`);
  }
  const { charset } = body;
  const minChars = body['min-chars'] ?? 0;
  if (typeof charset !== 'string' || charset === '') throw invalid('a charset rule needs a non-empty "charset"');
  if (!charset.isWellFormed()) throw invalid('the charset is not valid UTF-8');
  if (typeof minChars !== 'number' || !Number.isSafeInteger(minChars) || minChars < 0) {
    throw invalid('"min-chars" must be a non-negative integer');
  }
  return { chars: [...new Set(charset)], minChars };
}

function policyOf(length: number, rules: CharsetRule[]): PasswordPolicy {
  const charset = [...new Set(rules.flatMap((r) => r.chars))].sort();
  return { length, rules, charset };
}

function validate(policy: PasswordPolicy): void {
  const minLength = policy.rules.reduce((sum, r) => sum + r.minChars, 0);
  if (policy.length <= 0) throw invalid('length must be > 0');
  if (policy.length < minLength) {
    throw invalid(`specified rules require at least ${minLength} characters but ${policy.length} is specified`);
  }
  if (policy.charset.length === 0) throw invalid('no charset specified');
  if (policy.charset.length > MAX_CHARSET) throw invalid(`charset is too long: limited to ${MAX_CHARSET} characters`);
  if (policy.charset.some((ch) => /[\p{C}\s]/u.test(ch) && ch !== ' ')) throw invalid('non-printable character in charset');
}

function invalid(message: string): CofferError {
  return new CofferError('invalid_request', `invalid password policy: ${message}`);
}
