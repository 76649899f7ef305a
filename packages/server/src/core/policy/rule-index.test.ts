import { describe, expect, it } from 'vitest';
import type { PathRule, Policy } from './policy.js';
import { RuleIndex } from './rule-index.js';

/**
 * A differential test: the indexed lookup must pick the same rule as a plain transcription of
 * Vault's algorithm (vault/acl.go: exact match, then the longest prefix rule and every matching `+`
 * rule sorted by priority), with list requests falling back to the path without its trailing slash
 * only after the path as sent (OpenBao's order, see RuleIndex.lookup).
 */

interface RefRule {
  id: number;
  pattern: string;
}

function reference(rules: readonly RefRule[], path: string, isList: boolean): number | undefined {
  const exact = (p: string) => rules.find((r) => !isWildcard(r.pattern) && r.pattern === p)?.id;
  const bare = isList && path.endsWith('/') ? path.slice(0, -1) : undefined;
  return exact(path) ?? (bare === undefined ? undefined : exact(bare)) ?? nonExact(rules, path) ?? (bare === undefined ? undefined : nonExact(rules, bare));
}

function isSegment(pattern: string): boolean {
  return pattern === '+' || pattern.includes('/+') || pattern.startsWith('+/');
}

function isWildcard(pattern: string): boolean {
  return isSegment(pattern) || pattern.endsWith('*');
}

interface Descr {
  id: number;
  first: number;
  isPrefix: boolean;
  wildcards: number;
  text: string;
}

function nonExact(rules: readonly RefRule[], path: string): number | undefined {
  const found: Descr[] = [];
  let longest: RefRule | undefined;
  for (const rule of rules) {
    if (isSegment(rule.pattern) || !rule.pattern.endsWith('*')) continue;
    const prefix = rule.pattern.slice(0, -1);
    if (path.startsWith(prefix) && (!longest || prefix.length > longest.pattern.length - 1)) longest = rule;
  }
  if (longest) {
    const text = longest.pattern.slice(0, -1);
    found.push({ id: longest.id, first: text.length, isPrefix: true, wildcards: 0, text });
  }
  const pathParts = path.split('/');
  for (const rule of rules) {
    if (!isSegment(rule.pattern)) continue;
    const isPrefix = rule.pattern.endsWith('*');
    const text = isPrefix ? rule.pattern.slice(0, -1) : rule.pattern;
    const parts = text.split('/');
    if (pathParts.length < parts.length || (!isPrefix && parts.length !== pathParts.length)) continue;
    let wildcards = 0;
    const ok = parts.every((part, i) => {
      const segment = pathParts[i] as string;
      if (part === '+') return ++wildcards > 0;
      return part === segment || (isPrefix && i === parts.length - 1 && segment.startsWith(part));
    });
    if (ok) found.push({ id: rule.id, first: rule.pattern.indexOf('+'), isPrefix, wildcards, text });
  }
  const less = (a: Descr, b: Descr): number =>
    a.first - b.first ||
    (a.isPrefix === b.isPrefix ? 0 : a.isPrefix ? -1 : 1) ||
    b.wildcards - a.wildcards ||
    a.text.length - b.text.length ||
    (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
  return found.sort(less).at(-1)?.id;
}

/** mulberry32: a tiny seeded generator, so a failure replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;

function randomPattern(next: () => number): string {
  const count = 1 + Math.floor(next() * 4);
  const parts = Array.from({ length: count }, () => pick(next, ['a', 'b', 'ab', '+', '+', 'a+b', '']));
  let pattern = parts.join('/');
  const ending = next();
  if (ending < 0.3) pattern += '*';
  else if (ending < 0.45) pattern += '/*';
  else if (ending < 0.55) pattern += '/';
  return pattern.includes('+*') || pattern.replace(/^\/+/, '') === '' ? 'a' : pattern.replace(/^\/+/, '');
}

function randomPath(next: () => number): string {
  const count = 1 + Math.floor(next() * 5);
  const path = Array.from({ length: count }, () => pick(next, ['a', 'b', 'ab', 'abc', 'a+b', ''])).join('/');
  return next() < 0.3 ? `${path}/` : path;
}

describe('RuleIndex', () => {
  it('picks the same rule as a direct transcription of Vault’s algorithm (randomised, seeded)', () => {
    const next = random(20240601);
    let compared = 0;
    for (let set = 0; set < 300; set++) {
      const patterns = [...new Set(Array.from({ length: 1 + Math.floor(next() * 12) }, () => randomPattern(next)))];
      const rules: RefRule[] = patterns.map((pattern, id) => ({ id, pattern }));
      const pathRules: PathRule[] = rules.map(({ id, pattern }) => ({ pattern, capabilities: ['read'], requiredParameters: [`r${id}`] }));
      const policies: Policy[] = [{ name: 'p', rules: pathRules }];
      const index = new RuleIndex(policies);
      for (let probe = 0; probe < 60; probe++) {
        const path = randomPath(next);
        const isList = next() < 0.5;
        const winner = index.lookup(path, isList)?.required[0];
        const expected = reference(rules, path, isList);
        expect({ patterns, path, isList, winner }).toEqual({ patterns, path, isList, winner: expected === undefined ? undefined : `r${expected}` });
        compared++;
      }
    }
    expect(compared).toBe(18_000);
  });

  it('ranks a wildcard rule with a literal "+" inside a segment as Vault does', () => {
    // `a/x+b/+` counts its first wildcard at the "+" inside "x+b" (strings.Index), so it ranks below `a/x+b*`.
    const index = new RuleIndex([
      {
        name: 'p',
        rules: [
          { pattern: 'a/x+b/+', capabilities: ['read'], requiredParameters: ['segment'] },
          { pattern: 'a/x+b*', capabilities: ['read'], requiredParameters: ['prefix'] },
        ],
      },
    ]);
    expect(index.lookup('a/x+b/c', false)?.required).toEqual(['prefix']);
  });
});
