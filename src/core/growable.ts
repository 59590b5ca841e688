type TypedArray = Float64Array | Float32Array | Int32Array | Uint8Array;
type TypedArrayCtor<T extends TypedArray> = { new (length: number): T };

/**
 * A typed array that doubles its capacity when written past its end. `data` is the live backing
 * array: read it directly in hot loops, but re-read it after a write that may grow it.
 *
 * @example
 * const pop = new Growable(Float64Array, -1);
 * pop.set(10, 2.5); pop.get(10); // 2.5
 */
export class Growable<T extends TypedArray> {
  data: T;
  private readonly ctor: TypedArrayCtor<T>;
  private readonly fill: number;

  constructor(ctor: TypedArrayCtor<T>, fill = 0, initialCapacity = 1024) {
    this.ctor = ctor;
    this.fill = fill;
    this.data = new ctor(initialCapacity);
    if (fill !== 0) this.data.fill(fill);
  }

  get(index: number): number {
    return index < this.data.length ? this.data[index]! : this.fill;
  }

  set(index: number, value: number): void {
    this.ensure(index + 1);
    this.data[index] = value;
  }

  add(index: number, delta: number): void {
    this.ensure(index + 1);
    this.data[index] = this.data[index]! + delta;
  }

  ensure(length: number): void {
    if (length <= this.data.length) return;
    let capacity = this.data.length;
    while (capacity < length) capacity *= 2;
    const next = new this.ctor(capacity);
    if (this.fill !== 0) next.fill(this.fill);
    next.set(this.data as never);
    this.data = next;
  }
}
