/**
 * Policy path patterns: what is refused, how a pattern is classified, and how two wildcard patterns
 * rank when both match a request. The classification and the ranking follow Vault's
 * `vault/policy.go` (parsePaths) and `vault/acl.go` (CheckAllowedFromNonExactPaths).
 */

export type PatternKind = 'exact' | 'prefix' | 'segment';

export interface ClassifiedPattern {
  kind: PatternKind;
  /**
   * exact: the path; prefix: the pattern without its trailing `*`; segment: the whole pattern
   * (Vault keeps a trailing `*` on `+` patterns and strips it only when matching).
   */
  key: string;
}

/** Why a pattern is refused, or undefined when it is acceptable. Expects the leading `/` removed. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern === '') return 'the path is empty';
  if (pattern.includes('{{')) return 'templated policy paths ({{identity.…}}) are not supported yet';
  if (pattern.includes('+*')) return `invalid use of wildcards ('+*' is forbidden)`;
  const star = pattern.indexOf('*');
  // Vault takes a `*` elsewhere literally, which is never what the author meant: refuse it.
  if (star >= 0 && star !== pattern.length - 1) {
    return `"*" is only allowed as the last character (a prefix glob); it is not a regular expression`;
  }
  return undefined;
}

/**
 * Vault's test for `+` patterns: a whole `+` segment somewhere. (`a/+b` also passes it; such a
 * pattern then only matches `a/+b` literally, ranked as a wildcard rule, exactly as in Vault.)
 */
function hasSegmentWildcards(pattern: string): boolean {
  return pattern === '+' || pattern.includes('/+') || pattern.startsWith('+/');
}

export function classifyPattern(pattern: string): ClassifiedPattern {
  if (hasSegmentWildcards(pattern)) return { kind: 'segment', key: pattern };
  if (pattern.endsWith('*')) return { kind: 'prefix', key: pattern.slice(0, -1) };
  return { kind: 'exact', key: pattern };
}

/**
 * What Vault compares when several wildcard patterns match. Positions and lengths are in UTF-8
 * bytes, as Go measures strings, so non-ASCII patterns rank as they do in Vault.
 */
export interface Priority {
  /** Byte offset of the first `+`, or of the `*` of a prefix pattern. */
  firstWildcard: number;
  /** Ends in `*`. */
  isPrefix: boolean;
  /** Number of `+` segments. */
  wildcards: number;
  /** The pattern without a trailing `*`. */
  text: string;
  length: number;
}

export function priorityOf(classified: ClassifiedPattern): Priority {
  const { kind, key } = classified;
  if (kind === 'prefix') {
    const length = Buffer.byteLength(key);
    return { firstWildcard: length, isPrefix: true, wildcards: 0, text: key, length };
  }
  const isPrefix = key.endsWith('*');
  const text = isPrefix ? key.slice(0, -1) : key;
  return {
    firstWildcard: Buffer.byteLength(key.slice(0, key.indexOf('+'))),
    isPrefix,
    wildcards: text.split('/').filter((segment) => segment === '+').length,
    text,
    length: Buffer.byteLength(text),
  };
}

/**
 * Positive when `a` outranks `b`. In order: the later first wildcard wins; a pattern not ending in
 * `*` beats one that does; fewer `+` segments win; the longer pattern wins; finally the
 * lexicographically greater one wins (a tie-break Vault calls arbitrary).
 */
export function comparePriority(a: Priority, b: Priority): number {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard - b.firstWildcard;
  if (a.isPrefix !== b.isPrefix) return a.isPrefix ? -1 : 1;
  if (a.wildcards !== b.wildcards) return b.wildcards - a.wildcards;
  if (a.length !== b.length) return a.length - b.length;
  return Buffer.compare(Buffer.from(a.text), Buffer.from(b.text));
}
