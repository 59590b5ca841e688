import { createRandom } from '../core/random.js';
import { topK } from '../core/top-k.js';
import type { EngineConfig } from '../engine/config.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import { nextTurn } from '../time-slices.js';
import type { EventInput } from '../types.js';
import { isPositive, propensity, type Response, type World } from './world.js';

export type PolicyName = 'setlist' | 'random' | 'popularity' | 'oracle';

/** A recommender under simulation: serves a feed, then hears how it went. */
export interface Policy {
  readonly name: PolicyName;
  /** Items become available: the starting catalogue (`fresh` false, posted long ago), then new ones. */
  arrive(items: readonly number[], nowMs: number, fresh: boolean): Promise<void>;
  /** A feed; `sources` names why each item is there (setlist's reason source, or "exploration"). */
  serve(user: number, n: number, nowMs: number): Promise<{ items: number[]; sources?: string[] }>;
  observe(
    user: number,
    served: readonly number[],
    responses: readonly Response[],
    nowMs: number,
  ): Promise<void>;
  /** Called once at the start of every round. */
  startRound(round: number, nowMs: number): void;
  /** Trains the policy's batch model from what it has observed (setlist only; see `trainEvery`). */
  train?(): Promise<void>;
  /** Items in /v1/trending now (setlist only). */
  trending?(nowMs: number): Promise<string[]>;
  /**
   * The category of the user's top facet in their profile (setlist only): the category most of the
   * facet's example items belong to; -1 without facets.
   */
  topCategory?(user: number): Promise<number>;
}

const CATALOGUE_AGE_MS = 30 * 24 * 3600 * 1000;

/** setlist itself, driven through its public API on an in-memory SQLite store and a controlled clock. */
export async function createSetlistPolicy(
  world: World,
  seed: number,
  clock: { now: () => number },
  config: Partial<EngineConfig> = {},
): Promise<Policy & { engine: Engine }> {
  const engine = createEngine({
    store: createSqliteStore({ path: ':memory:' }),
    now: clock.now,
    random: createRandom(seed),
    config,
  });
  await engine.open();
  const byId = new Map(world.items.map((item, k) => [item.id, k]));
  return {
    name: 'setlist',
    engine,
    async arrive(items, nowMs, fresh) {
      const createdAt = fresh ? nowMs : nowMs - CATALOGUE_AGE_MS;
      for (let k = 0; k < items.length; k += 1_000) {
        const batch = items.slice(k, k + 1_000).map((i) => {
          const item = world.items[i]!;
          return {
            id: item.id,
            tags: item.tags,
            category: item.category,
            createdAt,
            ...(item.caption === undefined ? {} : { caption: item.caption }),
          };
        });
        await engine.putItems({ items: batch });
      }
    },
    async serve(user, n) {
      const { items } = await engine.feed(`u${user}`, n);
      return {
        items: items.map((i) => byId.get(i.itemId)!),
        sources: items.map((i) => (i.reason.exploration ? 'exploration' : i.reason.source)),
      };
    },
    async observe(user, served, responses, nowMs) {
      const events: EventInput[] = [];
      served.forEach((i, k) => {
        const r = responses[k]!;
        const base = { userId: `u${user}`, itemId: world.items[i]!.id, at: nowMs };
        events.push({ ...base, type: 'impression' });
        if (r.skip) events.push({ ...base, type: 'skip' });
        else events.push({ ...base, type: 'view', watchRatio: r.watchRatio });
        if (r.like) events.push({ ...base, type: 'like' });
      });
      await engine.ingest({ events });
      // Between two users' requests a server's event loop runs background work (facet re-clustering).
      await nextTurn();
    },
    startRound() {},
    async train() {
      await engine.train();
    },
    async trending() {
      return (await engine.trending(20)).items.map((t) => t.itemId);
    },
    async topCategory(user) {
      const top = (await engine.profile(`u${user}`)).facets.find((f) => !f.muted);
      if (top === undefined) return -1;
      const votes = new Map<number, number>();
      for (const id of top.examples) {
        const k = byId.get(id);
        if (k !== undefined) votes.set(world.categoryOf[k]!, (votes.get(world.categoryOf[k]!) ?? 0) + 1);
      }
      let best = -1;
      for (const [c, v] of votes)
        if (best < 0 || v > votes.get(best)! || (v === votes.get(best) && c < best)) best = c;
      return best;
    },
  };
}

/** Shared bookkeeping of the baselines: what is available and what each user has seen. */
class Baseline {
  readonly available: number[] = [];
  readonly seen: Set<number>[];
  constructor(users: number) {
    this.seen = Array.from({ length: users }, () => new Set<number>());
  }
  arrive(items: readonly number[]): void {
    this.available.push(...items);
  }
  markSeen(user: number, served: readonly number[]): void {
    for (const i of served) this.seen[user]!.add(i);
  }
}

/** Serves unseen items uniformly at random. */
export function createRandomPolicy(world: World, seed: number): Policy {
  const rng = createRandom(seed);
  const base = new Baseline(world.users.length);
  return {
    name: 'random',
    async arrive(items) {
      base.arrive(items);
    },
    async serve(user, n) {
      const out = new Set<number>();
      const seen = base.seen[user]!;
      for (let tries = 0; out.size < n && tries < n * 50; tries++) {
        const i = base.available[rng.int(base.available.length)]!;
        if (!seen.has(i)) out.add(i);
      }
      return { items: [...out] };
    },
    async observe(user, served) {
      base.markSeen(user, served);
    },
    startRound() {},
  };
}

/**
 * Serves the unseen items with the best engagement rate: positive responses over impressions, both
 * decayed with a 24 h half-life and smoothed towards the global rate; re-ranked for every feed, ties
 * (at the start, everything) in a fixed random order. Not personalised.
 */
export function createPopularityPolicy(world: World, seed: number): Policy {
  const rng = createRandom(seed);
  const base = new Baseline(world.users.length);
  const positives = new Float64Array(world.items.length);
  const shown = new Float64Array(world.items.length);
  const tieBreak = Float64Array.from(world.items, () => rng.next());
  const halfLifeMs = 24 * 3600 * 1000;
  const smoothing = 5;
  let lastMs = Number.NaN;
  let mean = 0.5;
  const available = new Uint8Array(world.items.length);
  const score = (k: number): number =>
    available[k] === 1
      ? (positives[k]! + mean * smoothing) / (shown[k]! + smoothing) + tieBreak[k]! * 1e-9
      : -1;
  return {
    name: 'popularity',
    async arrive(items) {
      base.arrive(items);
      for (const i of items) available[i] = 1;
    },
    startRound(_round, nowMs) {
      if (!Number.isNaN(lastMs)) {
        const f = 2 ** (-(nowMs - lastMs) / halfLifeMs);
        for (let k = 0; k < positives.length; k++) {
          positives[k] = positives[k]! * f;
          shown[k] = shown[k]! * f;
        }
      }
      lastMs = nowMs;
      let p = 0;
      let n = 0;
      for (let k = 0; k < positives.length; k++) {
        p += positives[k]!;
        n += shown[k]!;
      }
      mean = (p + 1) / (n + 2);
    },
    async serve(user, n) {
      const seen = base.seen[user]!;
      const scores = Float64Array.from(positives, (_, k) => score(k));
      return { items: Array.from(topK(scores, n, (k) => available[k] === 0 || seen.has(k))) };
    },
    async observe(user, served, responses) {
      base.markSeen(user, served);
      served.forEach((i, k) => {
        shown[i] = shown[i]! + 1;
        if (isPositive(responses[k]!)) positives[i] = positives[i]! + 1;
      });
    },
  };
}

/** Knows every user's true tastes (including their shift) and serves the best unseen items. */
export function createOraclePolicy(world: World): Policy {
  const base = new Baseline(world.users.length);
  const arrived = new Uint8Array(world.items.length);
  const ranked = new Map<number, Int32Array>();
  let round = 0;
  const rankingOf = (user: number): Int32Array => {
    const tastes = round >= world.shiftRound ? world.shifted[user]! : world.users[user]!;
    const key = tastes === world.users[user] ? user : -1 - user;
    let order = ranked.get(key);
    if (order === undefined) {
      const p = Float64Array.from(world.items, (_, i) => propensity(world, tastes, i));
      order = Int32Array.from(world.items, (_, i) => i).sort((a, b) => p[b]! - p[a]!);
      ranked.set(key, order);
    }
    return order;
  };
  return {
    name: 'oracle',
    async arrive(items) {
      base.arrive(items);
      for (const i of items) arrived[i] = 1;
    },
    startRound(r) {
      round = r;
    },
    async serve(user, n) {
      const out: number[] = [];
      const seen = base.seen[user]!;
      for (const i of rankingOf(user)) {
        if (out.length >= n) break;
        if (arrived[i] === 1 && !seen.has(i)) out.push(i);
      }
      return { items: out };
    },
    async observe(user, served) {
      base.markSeen(user, served);
    },
  };
}
