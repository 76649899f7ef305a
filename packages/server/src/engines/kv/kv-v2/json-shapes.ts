import { isPlainObject } from '@coffer/sdk';

/**
 * JSON Merge Patch (RFC 7386), which Vault applies for PATCH on data and metadata: objects merge
 * recursively, `null` removes a key, anything else (arrays included) replaces. Objects are rebuilt
 * with `Object.fromEntries` so a `__proto__` key in the patch stays a plain key.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const merged = new Map<string, unknown>(isPlainObject(target) ? Object.entries(target) : []);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, mergePatch(merged.get(key), value));
  }
  return Object.fromEntries(merged);
}

/**
 * The structure of a secret without its values, as Vault's subkeys endpoint: every leaf (a non-object
 * value or an empty object) becomes null. `maxDepth` 0 is unlimited; at depth N, objects N levels down
 * are reported as leaves, so no value below the cut can leak.
 */
export function subkeys(data: Record<string, unknown>, maxDepth: number): Record<string, unknown> {
  const walk = (node: Record<string, unknown>, depth: number): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(node).map(([key, value]) => {
        const descend = isPlainObject(value) && Object.keys(value).length > 0 && (maxDepth === 0 || depth < maxDepth);
        return [key, descend ? walk(value, depth + 1) : null];
      }),
    );
  return walk(data, 1);
}
