import type { ItemRecord, StoredEvent, UserRecord } from '../types.js';

/** Redis names shared by API nodes and workers; `prefix` lets several deployments share one Redis. */
export interface StreamNames {
  /** The stream every API node appends accepted events to. */
  events: string;
  /** The consumer group of `setlist worker`. */
  group: string;
  /** The pub/sub channel on which a new model version is announced. */
  models: string;
}

/**
 * The key prefix of a deployment's stream and channels: one per Postgres schema, so that deployments
 * sharing one database through `--schema` never read each other's entries on a shared Redis.
 */
export function defaultPrefix(schema = 'public'): string {
  return schema === 'public' ? 'setlist' : `setlist-${schema}`;
}

export function streamNames(prefix = 'setlist'): StreamNames {
  return { events: `${prefix}:events`, group: `${prefix}-workers`, models: `${prefix}:models` };
}

/** One stream entry carries one accepted batch: field pairs for XADD. */
export function encodeBatch(nodeId: string, events: readonly StoredEvent[]): string[] {
  return ['node', nodeId, 'events', JSON.stringify(events)];
}

/** The node and events of a stream entry; an entry that is not ours decodes to no events. */
export function decodeBatch(fields: readonly string[] | null): { node: string; events: StoredEvent[] } {
  let node = '';
  let events: StoredEvent[] = [];
  if (fields === null) return { node, events };
  for (let k = 0; k + 1 < fields.length; k += 2) {
    if (fields[k] === 'node') node = fields[k + 1]!;
    else if (fields[k] === 'events') {
      try {
        const parsed: unknown = JSON.parse(fields[k + 1]!);
        if (Array.isArray(parsed)) events = parsed.filter(isStoredEvent);
      } catch {
        events = [];
      }
    }
  }
  return { node, events };
}

function isStoredEvent(value: unknown): value is StoredEvent {
  const e = value as Partial<StoredEvent> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.seq === 'number' &&
    typeof e.userId === 'string' &&
    typeof e.itemId === 'string' &&
    typeof e.type === 'string' &&
    typeof e.at === 'number'
  );
}

/** Item and user writes travel on the same stream as `kind: records` entries. */
export function encodeRecords(
  nodeId: string,
  change: { items?: readonly ItemRecord[]; users?: readonly UserRecord[] },
): string[] {
  return ['node', nodeId, 'kind', 'records', 'records', JSON.stringify(change)];
}

/** The item and user records of a `kind: records` entry, or undefined for any other entry. */
export function decodeRecords(
  fields: readonly string[] | null,
): { items: ItemRecord[]; users: UserRecord[] } | undefined {
  const map = new Map<string, string>();
  for (let k = 0; fields !== null && k + 1 < fields.length; k += 2) map.set(fields[k]!, fields[k + 1]!);
  if (map.get('kind') !== 'records') return undefined;
  try {
    const parsed = JSON.parse(map.get('records') ?? '') as { items?: ItemRecord[]; users?: UserRecord[] };
    return {
      items: Array.isArray(parsed.items) ? parsed.items : [],
      users: Array.isArray(parsed.users) ? parsed.users : [],
    };
  } catch {
    return undefined;
  }
}

/** A model version announcement on the `models` channel. */
export interface ModelAnnouncement {
  name: string;
  version: number;
}

export function decodeAnnouncement(message: string): ModelAnnouncement | undefined {
  try {
    const m = JSON.parse(message) as Partial<ModelAnnouncement>;
    if (typeof m.name === 'string' && typeof m.version === 'number')
      return { name: m.name, version: m.version };
  } catch {
    // not an announcement
  }
  return undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
