/**
 * Maps external string ids to dense int32 indices and back. Inside the engine every user, item and
 * creator is an index into flat arrays; strings exist only at the edge.
 *
 * @example
 * const ids = new IdIndex();
 * ids.intern('v42'); // 0
 * ids.id(0);         // 'v42'
 */
export class IdIndex {
  private readonly byId = new Map<string, number>();
  private readonly ids: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** The index of `id`, assigning the next one if it is new. */
  intern(id: string): number {
    let index = this.byId.get(id);
    if (index === undefined) {
      index = this.ids.length;
      this.byId.set(id, index);
      this.ids.push(id);
    }
    return index;
  }

  /** The index of `id`, or -1. */
  get(id: string): number {
    return this.byId.get(id) ?? -1;
  }

  id(index: number): string {
    const id = this.ids[index];
    if (id === undefined) throw new RangeError(`no id at index ${index}`);
    return id;
  }
}
