/**
 * Where things are in a config file. hcl2json and JSON.parse give values without positions, so the
 * scanners in this folder rebuild the document's shape with a line for every key; error messages
 * use it to name the line. The tree mirrors the JSON that hcl2json produces: a block
 * `listener "tcp" { … }` is the key `listener` whose value has the key `tcp` whose value is the body.
 */
export interface PosNode {
  /** 1-based line where the value (or block) starts. */
  line: number;
  /** Object members in document order; repeated HCL blocks give several entries for one key. */
  keys?: Map<string, PosEntry[]>;
  /** Array elements. */
  items?: PosNode[];
}

export interface PosEntry {
  /** Line of the key itself. */
  line: number;
  value: PosNode;
}

export function addEntry(node: PosNode, key: string, entry: PosEntry): void {
  node.keys ??= new Map();
  const entries = node.keys.get(key);
  if (entries) entries.push(entry);
  else node.keys.set(key, [entry]);
}

/** Maps offsets in a text to 1-based lines and columns. */
export class LineIndex {
  readonly #starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.#starts.push(i + 1);
  }

  line(offset: number): number {
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.#starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  column(offset: number): number {
    return offset - (this.#starts[this.line(offset) - 1] ?? 0) + 1;
  }
}
