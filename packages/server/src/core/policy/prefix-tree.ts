/**
 * A radix tree answering "which stored key is the longest prefix of this path" in one walk over the
 * path, without allocating. Keys are compared by UTF-16 code unit, which gives the same prefix
 * relation as Go's byte comparison for well-formed strings.
 */
interface RadixNode<T> {
  value: T | undefined;
  /** First code unit of the edge label → edge. */
  edges: Map<number, RadixEdge<T>> | undefined;
}

interface RadixEdge<T> {
  label: string;
  node: RadixNode<T>;
}

export class PrefixTree<T> {
  readonly #root: RadixNode<T> = { value: undefined, edges: undefined };

  set(key: string, value: T): void {
    let node = this.#root;
    let at = 0;
    while (at < key.length) {
      node.edges ??= new Map();
      const edge = node.edges.get(key.charCodeAt(at));
      if (!edge) {
        node.edges.set(key.charCodeAt(at), { label: key.slice(at), node: { value, edges: undefined } });
        return;
      }
      const common = commonPrefixLength(edge.label, key, at);
      if (common < edge.label.length) {
        // Split the edge: the shared part leads to a new node holding the old remainder.
        const middle: RadixNode<T> = { value: undefined, edges: new Map() };
        middle.edges?.set(edge.label.charCodeAt(common), { label: edge.label.slice(common), node: edge.node });
        edge.label = edge.label.slice(0, common);
        edge.node = middle;
      }
      node = edge.node;
      at += common;
    }
    node.value = value;
  }

  /** The value stored under the longest key that is a prefix of `path` (the empty key included). */
  longestPrefix(path: string): T | undefined {
    let node = this.#root;
    let found = node.value;
    let at = 0;
    while (at < path.length && node.edges) {
      const edge = node.edges.get(path.charCodeAt(at));
      if (!edge || !path.startsWith(edge.label, at)) break;
      at += edge.label.length;
      node = edge.node;
      if (node.value !== undefined) found = node.value;
    }
    return found;
  }
}

function commonPrefixLength(label: string, key: string, offset: number): number {
  let i = 0;
  while (i < label.length && offset + i < key.length && label.charCodeAt(i) === key.charCodeAt(offset + i)) i++;
  return i;
}
