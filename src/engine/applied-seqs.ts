/**
 * Which event sequence numbers this node has applied: every `seq <= watermark`, plus the ones in
 * `above`. Events reach a node from its own requests, from other nodes through Redis and from the
 * store's log; this lets each be applied exactly once whatever the order.
 *
 * @example
 * const applied = new AppliedSeqs();
 * if (applied.claim(event.seq)) state.apply(event);
 */
export class AppliedSeqs {
  private watermarkSeq = 0;
  private readonly above = new Set<number>();

  get watermark(): number {
    return this.watermarkSeq;
  }

  /** Number of applied seqs held above the watermark (memory the next catch-up frees). */
  get pending(): number {
    return this.above.size;
  }

  /** Marks `seq` applied; false when it already was. */
  claim(seq: number): boolean {
    if (seq <= this.watermarkSeq || this.above.has(seq)) return false;
    if (seq !== this.watermarkSeq + 1) {
      this.above.add(seq);
      return true;
    }
    // Contiguous seqs (a single node on SQLite) move the watermark and keep the set empty.
    this.watermarkSeq = seq;
    while (this.above.delete(this.watermarkSeq + 1)) this.watermarkSeq++;
    return true;
  }

  /** Every seq up to `seq` is now applied (or will never exist): forget the ones below it. */
  advanceTo(seq: number): void {
    if (seq <= this.watermarkSeq) return;
    this.watermarkSeq = seq;
    for (const s of this.above) if (s <= seq) this.above.delete(s);
  }
}
