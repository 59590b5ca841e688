/** Slots of a new index's table; it doubles whenever it would be more than half full. */
const INITIAL_SLOTS = 1_024;
/**
 * The hash's starting state, random per process (as V8 seeds its own string hashes), so that ids
 * chosen to share a hash cannot turn lookups into long probes.
 */
const HASH_SEED = (0x811c9dc5 ^ Math.floor(Math.random() * 2 ** 32)) | 0;

/**
 * Maps external string ids to dense int32 indices and back. Inside the engine every user, item and
 * creator is an index into flat arrays; strings exist only at the edge.
 *
 * The lookup table is open addressing over one Int32Array (each slot the index + 1 and the id's hash,
 * side by side) rather than a Map: at a million ids a Map lookup walks a bucket, an entry and its
 * chain at scattered places, where here one probe usually reads one cache line of the table and the
 * matching id string.
 *
 * @example
 * const ids = new IdIndex();
 * ids.intern('v42'); // 0
 * ids.id(0);         // 'v42'
 */
export class IdIndex {
  private readonly ids: string[] = [];
  /** Two per slot: the index + 1 (0: empty) and the id's hash. */
  private slots = new Int32Array(2 * INITIAL_SLOTS);
  private mask = INITIAL_SLOTS - 1;

  get size(): number {
    return this.ids.length;
  }

  /** The index of `id`, assigning the next one if it is new. */
  intern(id: string): number {
    return this.internHashed(id, idHash(id));
  }

  /** {@link intern} of `id` whose {@link idHash} is `hash`. */
  internHashed(id: string, hash: number): number {
    const slot = this.find(id, hash);
    const stored = this.slots[2 * slot]!;
    if (stored !== 0) return stored - 1;
    const index = this.ids.length;
    this.ids.push(id);
    this.slots[2 * slot] = index + 1;
    this.slots[2 * slot + 1] = hash;
    if (2 * this.ids.length > this.mask + 1) this.grow();
    return index;
  }

  /** The index of `id`, or -1. */
  get(id: string): number {
    return this.slots[2 * this.find(id, idHash(id))]! - 1;
  }

  /**
   * The slot's content where a lookup of hash `hash` starts (0: empty), read as {@link internHashed}
   * will read it: read for many ids before their lookups, their cache misses overlap.
   */
  touchSlot(hash: number): number {
    return this.slots[2 * (hash & this.mask)]!;
  }

  /** Reads the id that {@link touchSlot} returned `stored` for, as a lookup compares it; returns a value to discard. */
  touchId(stored: number): number {
    return stored === 0 ? 0 : (this.ids[stored - 1]?.length ?? 0);
  }

  id(index: number): string {
    const id = this.ids[index];
    if (id === undefined) throw new RangeError(`no id at index ${index}`);
    return id;
  }

  /** The slot holding `id`, or the empty slot where it would go. */
  private find(id: string, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let slot = hash & mask;
    for (;;) {
      const stored = slots[2 * slot]!;
      if (stored === 0 || (slots[2 * slot + 1] === hash && this.ids[stored - 1] === id)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const size = 2 * (this.mask + 1);
    this.slots = new Int32Array(2 * size);
    this.mask = size - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s] === 0) continue;
      let slot = old[s + 1]! & this.mask;
      while (this.slots[2 * slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[2 * slot] = old[s]!;
      this.slots[2 * slot + 1] = old[s + 1]!;
    }
  }
}

/** FNV-1a over the UTF-16 code units from a seeded start, then murmur3's finaliser to mix the low bits. */
export function idHash(id: string): number {
  let h = HASH_SEED;
  for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
