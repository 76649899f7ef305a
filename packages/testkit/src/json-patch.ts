/** One RFC 6902 operation (the subset the fakes apply: add, remove, replace, test). */
export interface JsonPatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

type Container = Record<string, unknown> | unknown[];

/**
 * Applies an RFC 6902 JSON patch to a copy of `document` and returns it; throws an Error naming the
 * failing operation (the document is left untouched). Enough for what Kubernetes clients send to
 * pods (labels and annotations), not a full implementation: no `move` or `copy`.
 */
export function applyJsonPatch<T>(document: T, operations: unknown): T {
  if (!Array.isArray(operations)) throw new Error('a JSON patch must be an array of operations');
  const result = structuredClone(document) as unknown;
  for (const [index, raw] of operations.entries()) {
    const operation = raw as JsonPatchOperation;
    if (typeof operation !== 'object' || operation === null || typeof operation.path !== 'string') {
      throw new Error(`operation ${index}: missing "path"`);
    }
    const tokens = parsePointer(operation.path);
    const last = tokens.pop();
    if (last === undefined) throw new Error(`operation ${index}: the whole document cannot be patched`);
    const parent = resolve(result, tokens);
    if (parent === undefined) throw new Error(`operation ${index}: path "${operation.path}" does not exist`);
    switch (operation.op) {
      case 'add':
        add(parent, last, operation.value, index);
        break;
      case 'replace':
        if (!has(parent, last)) throw new Error(`operation ${index}: path "${operation.path}" does not exist`);
        set(parent, last, operation.value);
        break;
      case 'remove':
        if (!has(parent, last)) throw new Error(`operation ${index}: path "${operation.path}" does not exist`);
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
        break;
      case 'test':
        if (JSON.stringify(get(parent, last)) !== JSON.stringify(operation.value)) {
          throw new Error(`operation ${index}: test failed at "${operation.path}"`);
        }
        break;
      default:
        throw new Error(`operation ${index}: unsupported op "${String(operation.op)}"`);
    }
  }
  return result as T;
}

/** RFC 6901: `/a/b~1c` → ['a', 'b/c']. */
function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function resolve(document: unknown, tokens: string[]): Container | undefined {
  let node: unknown = document;
  for (const token of tokens) {
    if (typeof node !== 'object' || node === null || !has(node as Container, token)) return undefined;
    node = get(node as Container, token);
  }
  return typeof node === 'object' && node !== null ? (node as Container) : undefined;
}

function has(parent: Container, token: string): boolean {
  if (Array.isArray(parent)) return /^\d+$/.test(token) && Number(token) < parent.length;
  return Object.hasOwn(parent, token);
}

function get(parent: Container, token: string): unknown {
  return Array.isArray(parent) ? parent[Number(token)] : parent[token];
}

function set(parent: Container, token: string, value: unknown): void {
  if (Array.isArray(parent)) parent[Number(token)] = value;
  else parent[token] = value;
}

function add(parent: Container, token: string, value: unknown, index: number): void {
  if (!Array.isArray(parent)) {
    parent[token] = value;
    return;
  }
  if (token === '-') parent.push(value);
  else if (/^\d+$/.test(token) && Number(token) <= parent.length) parent.splice(Number(token), 0, value);
  else throw new Error(`operation ${index}: bad array index "${token}"`);
}
