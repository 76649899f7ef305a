import { mergePermissions, permissionsOf, type Permissions } from './permissions.js';
import { classifyPattern, comparePriority, priorityOf, type ClassifiedPattern } from './pattern.js';
import type { Policy } from './policy.js';
import { PrefixTree } from './prefix-tree.js';

/** A wildcard rule with its rank: a higher rank wins when several wildcard rules match. */
interface Ranked {
  perms: Permissions;
  rank: number;
}

interface SegmentRule extends Ranked {
  /** The pattern without a trailing `*`, split on `/`. */
  parts: readonly string[];
  isPrefix: boolean;
}

/**
 * Every policy's rules merged per pattern and compiled for lookup. Exact patterns sit in a Map,
 * `*` patterns in a radix tree (the longest matching prefix is the only prefix candidate, as in
 * Vault), and `+` patterns in groups keyed by their literal leading segments, so a lookup only
 * tries the groups whose head the path starts with. Vault's priority order depends on the patterns
 * alone, so it is computed once here as a rank; a lookup compares integers.
 */
export class RuleIndex {
  readonly #exact = new Map<string, Permissions>();
  readonly #prefixes = new PrefixTree<Ranked>();
  readonly #segmentGroups = new Map<string, SegmentRule[]>();
  /** Lengths of the group heads, so a lookup slices the path only where a group may exist. */
  readonly #headLengths = new Set<number>();

  constructor(policies: readonly Policy[]) {
    const merged = new Map<string, { classified: ClassifiedPattern; perms: Permissions }>();
    for (const policy of policies) {
      for (const rule of policy.rules) {
        const classified = classifyPattern(rule.pattern);
        const id = `${classified.kind}:${classified.key}`;
        const slot = merged.get(id);
        if (slot) mergePermissions(slot.perms, rule, policy.name);
        else merged.set(id, { classified, perms: permissionsOf(rule, policy.name) });
      }
    }

    const wildcards = [...merged.values()]
      .filter(({ classified }) => classified.kind !== 'exact')
      .map((entry) => ({ ...entry, priority: priorityOf(entry.classified) }))
      .sort((a, b) => comparePriority(a.priority, b.priority));

    for (const { classified, perms } of merged.values()) {
      if (classified.kind === 'exact') this.#exact.set(classified.key, perms);
    }
    wildcards.forEach(({ classified, perms, priority }, rank) => {
      if (classified.kind === 'prefix') {
        this.#prefixes.set(classified.key, { perms, rank });
        return;
      }
      const parts = priority.text.split('/');
      const head = headOf(parts);
      const group = this.#segmentGroups.get(head);
      const rule: SegmentRule = { perms, rank, parts, isPrefix: priority.isPrefix };
      if (group) group.push(rule);
      else this.#segmentGroups.set(head, [rule]);
      this.#headLengths.add(head.length);
    });
    // Highest rank first, so the first match in a group is that group's best.
    for (const group of this.#segmentGroups.values()) group.sort((a, b) => b.rank - a.rank);
  }

  /**
   * The permissions of the winning rule for a path, or undefined when no rule matches. An exact
   * rule wins outright; otherwise the highest-ranked wildcard rule. List requests (whose paths end
   * in `/`) also match rules written without the trailing slash, but only after every rule that
   * matches the path as sent: Vault checks the shortened path first, which lets `foo/*` grant a
   * list that a deny on `foo/private/*` should refuse (GHSA-xp3c-3jw3-4vcr, fixed in OpenBao).
   */
  lookup(path: string, isList: boolean): Permissions | undefined {
    const exact = this.#exact.get(path);
    if (exact) return exact;
    const bare = isList && path.endsWith('/') ? path.slice(0, -1) : undefined;
    if (bare !== undefined) {
      const exactBare = this.#exact.get(bare);
      if (exactBare) return exactBare;
    }
    return this.#wildcard(path) ?? (bare === undefined ? undefined : this.#wildcard(bare));
  }

  #wildcard(path: string): Permissions | undefined {
    let best = this.#prefixes.longestPrefix(path);
    if (this.#segmentGroups.size === 0) return best?.perms;
    const parts = path.split('/');
    const consider = (head: string): void => {
      for (const rule of this.#segmentGroups.get(head) ?? []) {
        if (best && rule.rank < best.rank) return;
        if (matchesSegments(rule, parts)) {
          best = rule;
          return;
        }
      }
    };
    if (this.#headLengths.has(0)) consider('');
    for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
      if (this.#headLengths.has(slash + 1)) consider(path.slice(0, slash + 1));
    }
    return best?.perms;
  }
}

/**
 * The literal segments before the first `+` segment (never the last segment, which a `*` pattern
 * matches by prefix), joined with a trailing `/`: every path the rule matches starts with it.
 */
function headOf(parts: readonly string[]): string {
  let end = 0;
  while (end < parts.length - 1 && parts[end] !== '+') end++;
  return end === 0 ? '' : `${parts.slice(0, end).join('/')}/`;
}

/** Vault's segment match: `+` takes any one segment (even an empty one); a `*` pattern's last part matches by prefix. */
function matchesSegments(rule: SegmentRule, path: readonly string[]): boolean {
  const { parts, isPrefix } = rule;
  if (path.length < parts.length || (!isPrefix && path.length !== parts.length)) return false;
  const last = parts.length - 1;
  for (let i = 0; i <= last; i++) {
    const part = parts[i] as string;
    const segment = path[i] as string;
    if (part === '+' || part === segment) continue;
    if (isPrefix && i === last && segment.startsWith(part)) continue;
    return false;
  }
  return true;
}
