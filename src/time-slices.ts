/** The longest a long loop on the server thread runs before it gives the event loop a turn. */
export const SLICE_MS = 8;

/** Resolves on a later turn of the event loop, once the I/O callbacks pending now have run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The clock of work done in slices on the server thread, so that requests keep flowing through a
 * long loop: `due()` says the current slice is used up, `next()` gives the loop a turn and starts the
 * next slice, `pause()` does both.
 *
 * @example
 * const slices = new TimeSlices();
 * for (let i = 0; i < n; i++) {
 *   if ((i & 4095) === 0) await slices.pause(); // look at the clock every few thousand steps
 *   work(i);
 * }
 */
export class TimeSlices {
  private start = performance.now();

  constructor(private readonly ms = SLICE_MS) {}

  due(): boolean {
    return performance.now() - this.start > this.ms;
  }

  async next(): Promise<void> {
    await nextTurn();
    this.start = performance.now();
  }

  async pause(): Promise<void> {
    if (this.due()) await this.next();
  }
}
