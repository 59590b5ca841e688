/**
 * A map that keeps at most `capacity` entries, dropping the least recently used first. Reading an
 * entry with {@link LruMap.get} or writing it with {@link LruMap.set} makes it the most recent (a
 * `Map` iterates in insertion order, so an entry is re-inserted on use and the first key is the
 * oldest). A capacity of 0 keeps nothing.
 *
 * @example
 * const recent = new LruMap<string, number>(2);
 * recent.set('a', 1); recent.set('b', 2); recent.get('a'); recent.set('c', 3); // 'b' is dropped
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.capacity <= 0) return;
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
