import type { OnlineState } from './online-state.js';

/** Int32s per item in {@link ItemTagIds}' slots: start, count, category key. */
const SLOT = 3;

/**
 * Every item's tags as small integers, read once from its record (and again when the record is
 * replaced): a feed scores about a thousand candidates by their tags, and reading numbers from typed
 * arrays spares it a record, an array and a string compare per tag, scattered over the heap. An item's
 * tag bag (its distinct tags and its `category:<name>` key, as facets compare items) is its numbers
 * plus its category key's.
 */
export class ItemTagIds {
  private readonly ids = new Map<string, number>();
  /** Category name -> the number of its `category:<name>` key. */
  private readonly categoryKeys = new Map<string, number>();
  /**
   * Per item, side by side (one cache line read): where its distinct tag numbers start in `pool` (-1:
   * not read yet), how many, and its `category:<name>` key's number when that is not among its tags
   * (else -1). Dropped when the item's record is set again.
   */
  private slots = new Int32Array(0);
  private pool = new Int32Array(4_096);
  private poolSize = 0;
  /** Pool entries of records since replaced: once they are half the pool, it is rebuilt. */
  private stale = 0;
  private weights = new Float64Array(0);
  private weightStamps = new Int32Array(0);
  weightsStamp = 0;

  /** The tag numbers, read with {@link start} and {@link count} for the item just asked about. */
  get tagPool(): Int32Array {
    return this.pool;
  }

  /** Where item `i`'s distinct tag numbers start in {@link tagPool} (valid until the next item is read). */
  start(state: OnlineState, i: number): number {
    const at = SLOT * i;
    if (at < this.slots.length && this.slots[at]! >= 0) return this.slots[at]!;
    return this.read(state, i);
  }

  /** How many distinct tags item `i` has (after {@link start}). */
  count(i: number): number {
    return this.slots[SLOT * i + 1]!;
  }

  /** Item `i`'s category key number when its bag adds one to its tags, else -1 (after {@link start}). */
  categoryKey(i: number): number {
    return this.slots[SLOT * i + 2]!;
  }

  /** The number of a tag or category key. */
  idOf(tag: string): number {
    let id = this.ids.get(tag);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(tag, id);
    }
    return id;
  }

  /** The number of a category's `category:<name>` key, without building the key once it has one. */
  private categoryKeyOf(category: string): number {
    let id = this.categoryKeys.get(category);
    if (id === undefined) {
      id = this.idOf(`category:${category}`);
      this.categoryKeys.set(category, id);
    }
    return id;
  }

  /** How many numbers there are so far: every id is below it. */
  get idCount(): number {
    return this.ids.size;
  }

  /** Starts a new set of tag weights; the previous set is gone. */
  beginWeights(): number {
    if (this.weightsStamp === 0x7fffffff) {
      this.weightStamps.fill(0);
      this.weightsStamp = 0;
    }
    return ++this.weightsStamp;
  }

  setWeight(tag: string, weight: number): void {
    const id = this.idOf(tag);
    if (id >= this.weights.length) {
      const capacity = Math.max(1_024, 2 * id);
      const weights = new Float64Array(capacity);
      const stamps = new Int32Array(capacity);
      weights.set(this.weights);
      stamps.set(this.weightStamps);
      this.weights = weights;
      this.weightStamps = stamps;
    }
    this.weights[id] = weight;
    this.weightStamps[id] = this.weightsStamp;
  }

  /** Reads item `i`'s slot, so that a loop over many items overlaps their misses; returns a value to discard. */
  touchSlot(i: number): number {
    const at = SLOT * i;
    return at < this.slots.length ? this.slots[at]! : 0;
  }

  /** Reads item `i`'s first tag number (after {@link touchSlot}); returns a value to discard. */
  touchTags(i: number): number {
    const at = SLOT * i;
    const start = at < this.slots.length ? this.slots[at]! : -1;
    return start >= 0 && start < this.poolSize ? this.pool[start]! : 0;
  }

  /** The largest current weight among the item's tags (0 when none has one). */
  bestWeight(state: OnlineState, item: number): number {
    const start = this.start(state, item);
    const end = start + this.slots[SLOT * item + 1]!;
    const pool = this.pool;
    const weights = this.weights;
    const stamps = this.weightStamps;
    const stamp = this.weightsStamp;
    let best = 0;
    for (let k = start; k < end; k++) {
      const id = pool[k]!;
      if (id < stamps.length && stamps[id] === stamp && weights[id]! > best) best = weights[id]!;
    }
    return best;
  }

  private read(state: OnlineState, item: number): number {
    const record = state.records[item];
    const at = SLOT * item;
    if (at >= this.slots.length) {
      const slots = new Int32Array(SLOT * Math.max(1_024, 2 * item)).fill(-1);
      slots.set(this.slots);
      this.slots = slots;
    }
    if (this.stale > this.poolSize / 2 && this.stale > 4_096) this.clear();
    const tags = record?.tags ?? [];
    if (this.poolSize + tags.length > this.pool.length) {
      const pool = new Int32Array(Math.max(2 * this.pool.length, this.poolSize + tags.length));
      pool.set(this.pool.subarray(0, this.poolSize));
      this.pool = pool;
    }
    const start = this.poolSize;
    for (let j = 0; j < tags.length; j++)
      if (tags.indexOf(tags[j]!) === j) this.pool[this.poolSize++] = this.idOf(tags[j]!);
    const category = record?.category;
    this.slots[at] = start;
    this.slots[at + 1] = this.poolSize - start;
    this.slots[at + 2] =
      category === undefined || hasCategoryTag(tags, category) ? -1 : this.categoryKeyOf(category);
    return start;
  }

  /** Drops item `i`'s numbers: its record was set again. */
  forget(i: number): void {
    const at = SLOT * i;
    if (at >= this.slots.length || this.slots[at]! < 0) return;
    this.stale += this.slots[at + 1]!;
    this.slots[at] = -1;
  }

  private clear(): void {
    for (let at = 0; at < this.slots.length; at += SLOT) this.slots[at] = -1;
    this.poolSize = 0;
    this.stale = 0;
  }
}

/** Whether the tags hold `category:<category>` (compared in place, no key built). */
function hasCategoryTag(tags: readonly string[], category: string): boolean {
  for (const tag of tags)
    if (tag.length === category.length + 9 && tag.startsWith('category:') && tag.endsWith(category))
      return true;
  return false;
}

/** One per state: it tells its item tag numbers when a record is set. */
const tagIdsByState = new WeakMap<OnlineState, ItemTagIds>();

/**
 * The state's item tag numbers, shared by every reader of that state. Every item's numbers are read
 * when its record is set (the record is at hand then), and those of items already in the state when
 * this is first asked: a feed reading a record first would wait on memory for it, and at a million
 * items the first few thousand feeds after startup read mostly such items.
 */
export function itemTagIds(state: OnlineState): ItemTagIds {
  let ids = tagIdsByState.get(state);
  if (ids === undefined) {
    const created = new ItemTagIds();
    for (let i = 0; i < state.itemCount; i++) if (state.records[i] !== undefined) created.start(state, i);
    state.onRecordSet((i) => {
      created.forget(i);
      created.start(state, i);
    });
    tagIdsByState.set(state, created);
    ids = created;
  }
  return ids;
}
