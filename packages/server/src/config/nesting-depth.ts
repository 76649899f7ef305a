/**
 * The deepest `{`/`[` nesting in an HCL or JSON text, and where it first goes past `limit`.
 * Both parsers (JSON.parse, hcl2json, and the position scanners) recurse per level, so a policy
 * sent through the API as ten thousand nested braces would overflow the stack; no real
 * configuration or policy comes near the limit. Strings and comments are skipped, so braces in a
 * path pattern or a comment do not count.
 */
export function firstTooDeep(text: string, limit: number): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 1;
    } else if (c === '{' || c === '[') {
      if (++depth > limit) return i;
    } else if (c === '}' || c === ']') {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}
