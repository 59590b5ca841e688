// A seeded synthetic creator platform for benchmarks: items grouped in topics, each with a creator
// and tags, Zipf-like popularity inside a topic, and users whose events mostly follow one to three
// favourite topics. Everything is typed arrays, generated in one pass, so 20M events fit in memory.
import { type Csr, csrFromTriples } from '../src/core/csr.js';
import { createRandom } from '../src/core/random.js';
import type { CreatorId, EventRecord, EventType, ItemId, ItemRecord, UserId } from '../src/types.js';

export interface PlatformSize {
  readonly items: number;
  readonly users: number;
  readonly events: number;
  readonly seed?: number;
}

export interface Platform {
  readonly size: Required<PlatformSize>;
  readonly topics: number;
  /** Item → topic (items are dealt round-robin to topics; a lower index in a topic is more popular). */
  readonly itemTopic: Int32Array;
  readonly itemCreator: Int32Array;
  /** Per event: user index, item index, type index into EVENT_KINDS, watch ratio. */
  readonly eventUser: Int32Array;
  readonly eventItem: Int32Array;
  readonly eventType: Uint8Array;
  readonly eventWatch: Float32Array;
}

/** The event types the generator emits, roughly in the proportions of a short-video app. */
export const EVENT_KINDS = ['view', 'view', 'view', 'like', 'share', 'follow', 'skip'] as const;

const CREATORS_PER_TOPIC = 40;

/**
 * Generates the platform. Popularity inside a topic is rank ∝ u³ (a cheap Zipf-like skew); users'
 * activity is skewed the same way, so a few users have long histories.
 *
 * @example
 * const p = generatePlatform({ items: 100_000, users: 100_000, events: 2_000_000 });
 */
export function generatePlatform(size: PlatformSize): Platform {
  const full = { seed: 7, ...size };
  const random = createRandom(full.seed);
  const topics = Math.max(2, Math.min(1_000, Math.round(full.items / 1_000)));
  const itemTopic = new Int32Array(full.items);
  const itemCreator = new Int32Array(full.items);
  for (let i = 0; i < full.items; i++) {
    const t = i % topics;
    itemTopic[i] = t;
    itemCreator[i] = t * CREATORS_PER_TOPIC + random.int(CREATORS_PER_TOPIC);
  }
  const tastes = new Int32Array(full.users * 3);
  for (let u = 0; u < full.users; u++) {
    for (let s = 0; s < 3; s++) tastes[u * 3 + s] = random.int(topics);
  }
  const perTopic = Math.ceil(full.items / topics);
  const eventUser = new Int32Array(full.events);
  const eventItem = new Int32Array(full.events);
  const eventType = new Uint8Array(full.events);
  const eventWatch = new Float32Array(full.events);
  for (let e = 0; e < full.events; e++) {
    const u = Math.floor(full.users * random.next() ** 2);
    const t = random.next() < 0.85 ? tastes[u * 3 + random.int(1 + (u % 3))]! : random.int(topics);
    let item = Math.floor(perTopic * random.next() ** 3) * topics + t;
    if (item >= full.items) item = t;
    eventUser[e] = u;
    eventItem[e] = item;
    eventType[e] = random.int(EVENT_KINDS.length);
    eventWatch[e] = random.next();
  }
  return { size: full, topics, itemTopic, itemCreator, eventUser, eventItem, eventType, eventWatch };
}

/** Tags of an item: its topic's tag and one of a few sub-tags. */
export function itemTags(p: Platform, item: number): string[] {
  const t = p.itemTopic[item]!;
  return [`topic${t}`, `t${t}-${item % 5}`];
}

/**
 * Items `start` .. `end − 1` as catalogue records; ages spread over the 100,000 s before `t0`.
 *
 * @example
 * await store.writeItems(platformItems(p, 0, 10_000, t0));
 */
export function platformItems(p: Platform, start: number, end: number, t0: number): ItemRecord[] {
  const records: ItemRecord[] = [];
  for (let i = start; i < Math.min(p.size.items, end); i++) {
    records.push({
      id: `item-${i}` as ItemId,
      creatorId: `creator-${p.itemCreator[i]}` as CreatorId,
      tags: itemTags(p, i),
      createdAt: t0 - (i % 100_000) * 1_000,
      updatedAt: t0,
      visibility: 'visible',
    });
  }
  return records;
}

/**
 * Events `start` .. `end − 1` as engine input, event `e` at `t0 + e` ms.
 *
 * @example
 * const { seqs } = await store.appendEvents(platformEvents(p, 0, 10_000, t0), t0);
 */
export function platformEvents(p: Platform, start: number, end: number, t0: number): EventRecord[] {
  const events: EventRecord[] = [];
  for (let e = start; e < Math.min(p.size.events, end); e++) {
    events.push({
      userId: `user-${p.eventUser[e]}` as UserId,
      itemId: `item-${p.eventItem[e]}` as ItemId,
      type: EVENT_KINDS[p.eventType[e]!] as EventType,
      at: t0 + e,
      watchRatio: p.eventWatch[e]!,
    });
  }
  return events;
}

/** The user × item matrix of the platform's events (duplicates summed), as training sees it. */
export function platformMatrix(p: Platform): Csr {
  return csrFromTriples(p.size.users, p.size.items, p.eventUser, p.eventItem);
}

/**
 * Reads every nonzero of a matrix once (the floor any training epoch is compared to): returns a
 * checksum so the loop cannot be optimised away.
 */
export function plainPass(m: Csr): number {
  let sum = 0;
  for (let r = 0; r < m.rows; r++) {
    const end = m.indptr[r + 1]!;
    for (let e = m.indptr[r]!; e < end; e++) sum += m.indices[e]! * m.values[e]!;
  }
  return sum;
}

/** `--name value` flags as numbers, with defaults; `--quick`-style switches as booleans. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let a = 0; a < argv.length; a++) {
    const arg = argv[a]!;
    if (!arg.startsWith('--')) continue;
    const next = argv[a + 1];
    if (next === undefined || next.startsWith('--')) flags.set(arg.slice(2), 'true');
    else {
      flags.set(arg.slice(2), next);
      a++;
    }
  }
  return flags;
}

/** One event of an ingest batch, as POSTed to /v1/events. */
export interface IngestEvent {
  id: string;
  userId: string;
  itemId: string;
  type: string;
  watchRatio: number;
}

/**
 * Batch `b` of the ingest benchmark: `size` new events (fresh ids) on known users and items, the
 * same for a given seed, so the HTTP run and the raw SQLite baseline write identical rows.
 *
 * @example
 * const events = ingestBatch(1, 0, 1_000, users, items);
 */
export function ingestBatch(
  seed: number,
  b: number,
  size: number,
  users: number,
  items: number,
): IngestEvent[] {
  const random = createRandom(seed * 1_000_003 + b);
  const out: IngestEvent[] = [];
  for (let j = 0; j < size; j++) {
    out.push({
      id: `bench-${seed}-${b}-${j}`,
      userId: `user-${Math.floor(users * random.next() ** 2)}`,
      itemId: `item-${Math.floor(items * random.next() ** 3)}`,
      type: EVENT_KINDS[random.int(EVENT_KINDS.length)]!,
      watchRatio: Math.round(random.next() * 100) / 100,
    });
  }
  return out;
}
