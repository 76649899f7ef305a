/**
 * When each lease is due, for up to millions of leases with one timer: a binary min-heap of
 * (due time, lease id). Renewals push a new item; stale items are skipped when popped because the
 * authoritative due time per lease lives in `#due`.
 */
export class LeaseSchedule {
  readonly #heap: { at: number; id: string }[] = [];
  readonly #due = new Map<string, number>();

  get size(): number {
    return this.#due.size;
  }

  set(id: string, at: number): void {
    this.#due.set(id, at);
    this.#push({ at, id });
  }

  delete(id: string): void {
    this.#due.delete(id);
  }

  ids(): IterableIterator<string> {
    return this.#due.keys();
  }

  has(id: string): boolean {
    return this.#due.has(id);
  }

  /** The earliest due time, or undefined when nothing is scheduled. */
  next(): number | undefined {
    this.#dropStale();
    return this.#heap[0]?.at;
  }

  /** Removes and returns the ids due at or before `now`. */
  popDue(now: number, limit = Infinity): string[] {
    const out: string[] = [];
    while (out.length < limit) {
      this.#dropStale();
      const top = this.#heap[0];
      if (!top || top.at > now) break;
      this.#pop();
      this.#due.delete(top.id);
      out.push(top.id);
    }
    return out;
  }

  clear(): void {
    this.#heap.length = 0;
    this.#due.clear();
  }

  #dropStale(): void {
    for (;;) {
      const top = this.#heap[0];
      if (!top || this.#due.get(top.id) === top.at) return;
      this.#pop();
    }
  }

  #push(item: { at: number; id: string }): void {
    const heap = this.#heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as { at: number }).at <= item.at) break;
      heap[i] = heap[parent] as { at: number; id: string };
      i = parent;
    }
    heap[i] = item;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && (heap[right] as { at: number }).at < (heap[left] as { at: number }).at ? right : left;
      if ((heap[child] as { at: number }).at >= last.at) break;
      heap[i] = heap[child] as { at: number; id: string };
      i = child;
    }
    heap[i] = last;
  }
}
