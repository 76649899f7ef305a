import { isPlainObject } from '@coffer/sdk';
import type { PosNode } from './positions.js';

/**
 * A parsed value together with where it came from. `pos` holds every source node this value was
 * merged from: hcl2json folds repeated blocks (`listener "tcp" {…}` twice) into one object whose
 * `tcp` key is an array, so one value can stand for several places in the text.
 */
export class Located {
  constructor(
    readonly value: unknown,
    readonly line: number,
    readonly pos: readonly PosNode[],
  ) {}

  /** The keys of an object value, in document order where known. */
  keys(): string[] {
    if (!isPlainObject(this.value)) return [];
    const keys = Object.keys(this.value);
    return keys.sort((a, b) => this.keyLine(a) - this.keyLine(b));
  }

  /** The line of `key` in this object, or the object's own line when the key is absent. */
  keyLine(key: string): number {
    return this.#entries(key)[0]?.line ?? this.line;
  }

  /**
   * The value at `key` as a list: an array gives its elements, anything else one item. Repeated
   * HCL blocks and JSON arrays both come out as several items, each with its own line.
   */
  items(key: string): Located[] {
    if (!isPlainObject(this.value) || !Object.hasOwn(this.value, key)) return [];
    const value = this.value[key];
    const entries = this.#entries(key);
    const keyLine = entries[0]?.line ?? this.line;
    if (!Array.isArray(value)) return [new Located(value, keyLine, entries.map((entry) => entry.value))];
    // Either one entry whose value is an array, or one entry per repeated block.
    const places = entries.flatMap((entry) =>
      entry.value.items
        ? entry.value.items.map((item) => ({ line: item.line, node: item }))
        : [{ line: entry.line, node: entry.value }],
    );
    const aligned = places.length === value.length;
    return value.map((item, i) => {
      const place = aligned ? places[i] : undefined;
      return new Located(item, place?.line ?? keyLine, place ? [place.node] : []);
    });
  }

  #entries(key: string) {
    return this.pos.flatMap((node) => node.keys?.get(key) ?? []);
  }
}
