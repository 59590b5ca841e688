import type { Engine } from '../engine/engine.js';
import type { Store, VisibilityChange } from '../store/store.js';
import type { ItemId } from '../types.js';

/** A gap in the audit's positions is waited for this long (a transaction still open) before it is taken as never to come. */
export const AUDIT_GAP_WAIT_MS = 30_000;
const PAGE = 1_000;

/**
 * Follows the store's audit trail, so that a takedown reaches this node even when the stream did not
 * bring it: the node that hid the item lost Redis and then stopped, or only this node was cut off.
 * Items have no log of their own, but every visibility change is an audit entry written in the same
 * transaction as the item. An item whose visibility here disagrees with its latest entry is read again
 * from the store and applied (an older record than the one held is ignored, as for the stream).
 *
 * @example
 * const follower = new VisibilityFollower(store, engine);
 * setInterval(() => void follower.poll(Date.now()), 1_000);
 */
export class VisibilityFollower {
  /** Every audit position at or below this is handled. */
  private floor = 0;
  /** Positions above the floor already handled, with when each was first read. */
  private readonly handled = new Map<number, number>();

  constructor(
    private readonly store: Pick<Store, 'visibilityChangesAfter' | 'getItem'>,
    private readonly engine: Pick<Engine, 'getItem' | 'applyRemoteRecords'>,
  ) {}

  /**
   * Starts after the trail's current end: call it before the node reads the items afresh, which
   * brings every earlier change.
   */
  async skipToEnd(): Promise<void> {
    for (;;) {
      const page = await this.store.visibilityChangesAfter(this.floor, PAGE);
      if (page.length > 0) this.floor = page[page.length - 1]!.seq;
      if (page.length < PAGE) return;
    }
  }

  /** Reads the entries after the floor, applies the items whose visibility disagrees; returns how many it applied. */
  async poll(nowMs: number): Promise<number> {
    const fresh: VisibilityChange[] = [];
    for (let after = this.floor; ; ) {
      const page = await this.store.visibilityChangesAfter(after, PAGE);
      for (const change of page) if (!this.handled.has(change.seq)) fresh.push(change);
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.seq;
    }
    // Only each item's latest entry counts: an item hidden and restored since is visible.
    const latest = new Map<ItemId, VisibilityChange>();
    for (const change of fresh) latest.set(change.itemId, change);
    let applied = 0;
    for (const change of latest.values()) {
      const here = await this.visibilityHere(change.itemId);
      if (here === (change.action === 'hide' ? 'hidden' : 'visible')) continue;
      const record = await this.store.getItem(change.itemId);
      if (record !== undefined) applied += this.engine.applyRemoteRecords({ items: [record] });
    }
    for (const change of fresh) this.handled.set(change.seq, nowMs);
    this.advance(nowMs);
    return applied;
  }

  /** The item's visibility in this node's online state; undefined for an item it does not hold. */
  private async visibilityHere(itemId: ItemId): Promise<string | undefined> {
    try {
      return (await this.engine.getItem(itemId)).visibility;
    } catch {
      return undefined;
    }
  }

  /**
   * Moves the floor over handled positions, and over a gap (a position not read while later ones were)
   * once a later position was read {@link AUDIT_GAP_WAIT_MS} ago: a rolled-back write leaves such a gap
   * for good.
   */
  private advance(nowMs: number): void {
    for (;;) {
      const next = this.floor + 1;
      if (this.handled.delete(next)) {
        this.floor = next;
        continue;
      }
      if (this.handled.size === 0) return;
      let gapSeen = Number.POSITIVE_INFINITY;
      for (const readAt of this.handled.values()) gapSeen = Math.min(gapSeen, readAt);
      if (nowMs - gapSeen < AUDIT_GAP_WAIT_MS) return;
      this.floor = next;
    }
  }

  /** Audit positions read above the floor (for tests and diagnostics). */
  get pending(): number {
    return this.handled.size;
  }
}
