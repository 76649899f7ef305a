import type { PosNode } from './source-scan.js';

/**
 * A parsed config value with where it came from: its line, the raw text of a scalar, and the
 * position nodes of its members. hcl2json folds repeated blocks into arrays, and labelled blocks
 * into `{label: [body]}`, so `items` and `get` follow both shapes.
 */
export class Located {
  constructor(
    readonly value: unknown,
    readonly line: number,
    readonly pos: readonly PosNode[],
  ) {}

  get raw(): string | undefined {
    return this.pos.find((p) => p.raw !== undefined)?.raw;
  }

  isObject(): boolean {
    return typeof this.value === 'object' && this.value !== null && !Array.isArray(this.value);
  }

  /** Member keys in document order where known. */
  keys(): string[] {
    if (!this.isObject()) return [];
    return Object.keys(this.value as object).sort((a, b) => this.keyLine(a) - this.keyLine(b));
  }

  keyLine(key: string): number {
    return this.#entries(key)[0]?.line ?? this.line;
  }

  has(key: string): boolean {
    return this.isObject() && Object.hasOwn(this.value as object, key);
  }

  /** One member, unwrapped from a one-element block array. */
  get(key: string): Located | undefined {
    return this.items(key)[0];
  }

  /**
   * A member as a list: an array gives its elements (each repeated block or JSON element with its
   * own line), anything else one item.
   */
  items(key: string): Located[] {
    if (!this.has(key)) return [];
    const value = (this.value as Record<string, unknown>)[key];
    const entries = this.#entries(key);
    const keyLine = entries[0]?.line ?? this.line;
    if (!Array.isArray(value)) return [new Located(value, keyLine, entries.map((e) => e.value))];
    const places = entries.flatMap((entry) =>
      entry.value.items ? entry.value.items.map((node) => ({ line: node.line, node })) : [{ line: entry.line, node: entry.value }],
    );
    const aligned = places.length === value.length;
    return value.map((item, i) => {
      const place = aligned ? places[i] : undefined;
      return new Located(item, place?.line ?? keyLine, place ? [place.node] : entries.map((e) => e.value));
    });
  }

  #entries(key: string) {
    return this.pos.flatMap((node) => node.keys?.get(key) ?? []);
  }
}
