import { compareKeys } from '@coffer/sdk';

/** Where a key's current record lives in the log. */
export interface Location {
  offset: number;
  /** The whole record: header, key and value. */
  size: number;
}

/**
 * The in-memory index: key → location of its latest put, plus a folder tree so that `list` costs
 * the size of one folder rather than a scan of every key. Each folder maps a child segment (`"a"`
 * for a key, `"dir/"` for a subfolder) to how many keys lie beneath it, so a folder disappears
 * with its last key.
 */
export class KeyIndex {
  readonly #locations = new Map<string, Location>();
  readonly #folders = new Map<string, Map<string, number>>();
  #liveBytes = 0;

  get size(): number {
    return this.#locations.size;
  }

  /** Total size of the records the index points at; the rest of the log is garbage. */
  get liveBytes(): number {
    return this.#liveBytes;
  }

  get(key: string): Location | undefined {
    return this.#locations.get(key);
  }

  has(key: string): boolean {
    return this.#locations.has(key);
  }

  set(key: string, location: Location): void {
    const previous = this.#locations.get(key);
    this.#locations.set(key, location);
    this.#liveBytes += location.size - (previous?.size ?? 0);
    if (previous === undefined) this.#adjustFolders(key, 1);
  }

  delete(key: string): void {
    const previous = this.#locations.get(key);
    if (previous === undefined) return;
    this.#locations.delete(key);
    this.#liveBytes -= previous.size;
    this.#adjustFolders(key, -1);
  }

  offsets(): Set<number> {
    return new Set([...this.#locations.values()].map((location) => location.offset));
  }

  /** Runs `move` over every location without changing any, so it can fail before anything changed. */
  check(move: (location: Location) => Location): void {
    for (const location of this.#locations.values()) move(location);
  }

  /** Replaces every location, for when compaction moves the records to a new file. */
  relocate(move: (location: Location) => Location): void {
    for (const [key, location] of this.#locations) this.#locations.set(key, move(location));
  }

  /** The contract's `list`: the next segment of every key under `prefix`, sorted by `compareKeys`. */
  list(prefix: string): string[] {
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const partial = prefix.slice(folder.length);
    const children = this.#folders.get(folder);
    if (children === undefined) return [];
    const out: string[] = [];
    for (const child of children.keys()) {
      if (child.length > partial.length && child.startsWith(partial)) out.push(child.slice(partial.length));
    }
    return out.sort(compareKeys);
  }

  #adjustFolders(key: string, delta: 1 | -1): void {
    let folderEnd = 0;
    for (;;) {
      const slash = key.indexOf('/', folderEnd);
      const folder = key.slice(0, folderEnd);
      const child = slash === -1 ? key.slice(folderEnd) : key.slice(folderEnd, slash + 1);
      // A key ending in "/" has an empty last segment, which `list` never shows.
      if (child !== '') this.#adjustChild(folder, child, delta);
      if (slash === -1) return;
      folderEnd = slash + 1;
    }
  }

  #adjustChild(folder: string, child: string, delta: 1 | -1): void {
    let children = this.#folders.get(folder);
    if (children === undefined) {
      children = new Map();
      this.#folders.set(folder, children);
    }
    const count = (children.get(child) ?? 0) + delta;
    if (count > 0) {
      children.set(child, count);
      return;
    }
    children.delete(child);
    if (children.size === 0) this.#folders.delete(folder);
  }
}
