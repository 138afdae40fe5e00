// A map with a fixed capacity that forgets the least recently used entry first: the one bound
// on memory for every table keyed by something a client chooses (an address, a token hash, a
// session id, a client_id URL), so that no flood of new keys can grow the process without end.
// A Map iterates in insertion order, so re-inserting an entry on each use keeps the least
// recently used one first, where eviction takes it.

export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();

  /** `capacity` entries at most; 0 keeps nothing (every `set` is forgotten at once). */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError("capacity must be a non-negative integer");
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value, marking the entry as the most recently used. */
  get(key: K): V | undefined {
    if (!this.#entries.has(key)) return undefined;
    const value = this.#entries.get(key) as V;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Stores the value as the most recently used entry, forgetting the least recently used past capacity. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.capacity) break;
      this.#entries.delete(oldest);
    }
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Entries from least to most recently used; deleting the current entry while iterating is safe. */
  entries(): IterableIterator<[K, V]> {
    return this.#entries.entries();
  }
}
