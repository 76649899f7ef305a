/**
 * Go's ryanuber/go-glob, which Vault uses for bound claims and Kubernetes bindings: `*` matches any
 * run of characters (including none); nothing else is special.
 */
export function globMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!value.startsWith(first)) return false;
  let at = first.length;
  for (const middle of parts.slice(1, -1)) {
    const found = value.indexOf(middle, at);
    if (found === -1) return false;
    at = found + middle.length;
  }
  return value.length - at >= last.length && value.endsWith(last);
}

/** True when one of the patterns matches (Vault's strutil.StrListContainsGlob). */
export function anyGlobMatches(patterns: readonly string[], value: string): boolean {
  return patterns.some((pattern) => globMatches(pattern, value));
}
