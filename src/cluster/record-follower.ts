import type { Engine } from '../engine/engine.js';
import type { RecordChangePage, Store } from '../store/store.js';

/**
 * Follows every item and user write in the store, so that a node holds the records other nodes wrote
 * even when the stream did not bring them: the deployment runs without Redis, the writer lost Redis
 * (and maybe stopped since), or only this node was cut off. A takedown, a new item, a field edit and a
 * profile's mute all reach the node within one poll. A record older than the one held is ignored, as
 * for the stream; one equal to it changes nothing.
 *
 * @example
 * const follower = new RecordFollower(store, engine);
 * await follower.skipToEnd(); // before the engine reads every record as it opens
 * setInterval(() => void follower.poll(), 1_000);
 */
export class RecordFollower {
  private cursor: string | undefined;
  /** Writes visited that the next read visits again (their transaction was open at the cursor): key → version. */
  private visited = new Map<string, string>();

  constructor(
    private readonly store: Required<Pick<Store, 'readRecordChanges'>>,
    private readonly engine: Pick<Engine, 'applyRemoteRecords'>,
  ) {}

  /** Starts from now: call it before the node reads every record, which brings every earlier write. */
  async skipToEnd(): Promise<void> {
    this.cursor = await this.store.readRecordChanges(undefined, () => {});
    this.visited.clear();
  }

  /** Applies the records written since the last poll; returns how many changed this node's state. */
  async poll(): Promise<number> {
    if (this.cursor === undefined) throw new Error('RecordFollower#poll before skipToEnd');
    const seen = new Map<string, string>();
    let applied = 0;
    const next = await this.store.readRecordChanges(this.cursor, (page: RecordChangePage) => {
      const fresh = <R extends { id: string }>(
        kind: string,
        changes: RecordChangePage['items' | 'users'],
      ) => {
        const records: R[] = [];
        for (const { record, version } of changes) {
          const key = kind + record.id;
          seen.set(key, version);
          if (this.visited.get(key) !== version) records.push(record as unknown as R);
        }
        return records;
      };
      const items = fresh<RecordChangePage['items'][number]['record']>('i', page.items);
      const users = fresh<RecordChangePage['users'][number]['record']>('u', page.users);
      if (items.length + users.length > 0) applied += this.engine.applyRemoteRecords({ items, users });
    });
    // Only writes at or above the new cursor can be visited again.
    const floor = BigInt(next);
    const kept = new Map<string, string>();
    for (const [key, version] of seen) if (BigInt(version) >= floor) kept.set(key, version);
    this.visited = kept;
    this.cursor = next;
    return applied;
  }
}
