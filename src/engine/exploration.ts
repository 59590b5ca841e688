import { decay } from '../core/event-weight.js';
import { pickExploration, spreadPositions } from '../core/exploration.js';
import { Growable } from '../core/growable.js';
import type { Random } from '../core/random.js';
import { topK } from '../core/top-k.js';
import type { EventType } from '../types.js';
import type { EngineConfig } from './config.js';
import { IdIndex } from './id-index.js';
import type { OnlineState, UserState } from './online-state.js';

const SUCCESS_TYPES: ReadonlySet<EventType> = new Set(['like', 'share', 'comment', 'follow']);
const FAILURE_TYPES: ReadonlySet<EventType> = new Set(['skip', 'not_interested', 'report']);
/** Pseudo-count of the global mean inside a category's or creator's prior. */
const GROUP_PRIOR = 10;
/** Recent positive items whose tags define where a user with history is explored. */
const INTEREST_ITEMS = 20;
/** Users with no history explore among this many of the newest little-exposed items. */
const COLD_POOL = 1_000;
const HOUR_MS = 3600 * 1000;

/**
 * Per-item outcomes for Thompson sampling, their category and creator means for the prior, each
 * user's recent exploration (for the per-user bound), and the audit of explored impressions.
 */
export class ExplorationStats {
  readonly successes = new Growable(Float64Array);
  /** Explicit failures: skips, short views, not_interested. Unengaged impressions add to these. */
  readonly failures = new Growable(Float64Array);
  /** Audit: explored impressions served, per item. */
  readonly explored = new Growable(Float64Array);
  exploredTotal = 0;
  private readonly groups = new IdIndex();
  private readonly groupSuccesses = new Growable(Float64Array);
  private readonly groupJudged = new Growable(Float64Array);
  private readonly groupImpressions = new Growable(Float64Array);
  private globalSuccesses = 0;
  private globalJudged = 0;
  private globalImpressions = 0;
  /** User -> item -> 1 (success) or -1 (failure): one judgement per user and item. */
  private readonly judged = new Map<number, Map<number, number>>();
  /** User -> explored impressions, decayed with a one-hour half-life, and when. */
  private readonly recentExplored = new Map<number, { count: number; atMs: number }>();
  private readonly successWatchRatio: number;

  constructor(config: EngineConfig['exploration']) {
    this.successWatchRatio = config.successWatchRatio;
  }

  /** Counts one event; `groups` are the item's category and creator keys. */
  observe(
    u: number,
    i: number,
    type: EventType,
    watchRatio: number | undefined,
    groups: readonly string[],
  ): void {
    const keys = groups.map((g) => this.groups.intern(g));
    if (type === 'impression') {
      for (const g of keys) this.groupImpressions.add(g, 1);
      this.globalImpressions++;
      return;
    }
    let outcome = 0;
    if (SUCCESS_TYPES.has(type)) outcome = 1;
    else if (FAILURE_TYPES.has(type)) outcome = -1;
    else if (type === 'view' && watchRatio !== undefined)
      outcome = watchRatio >= this.successWatchRatio ? 1 : -1;
    if (outcome === 0) return;
    let byItem = this.judged.get(u);
    if (byItem === undefined) {
      byItem = new Map();
      this.judged.set(u, byItem);
    }
    const before = byItem.get(i) ?? 0;
    if (outcome === 1 && before !== 1) {
      if (before === -1) {
        this.failures.add(i, -1);
        for (const g of keys) this.groupJudged.add(g, -1);
        this.globalJudged--;
      }
      this.successes.add(i, 1);
      for (const g of keys) {
        this.groupSuccesses.add(g, 1);
        this.groupJudged.add(g, 1);
      }
      this.globalSuccesses++;
      this.globalJudged++;
      byItem.set(i, 1);
    } else if (outcome === -1 && before === 0) {
      this.failures.add(i, 1);
      for (const g of keys) this.groupJudged.add(g, 1);
      this.globalJudged++;
      byItem.set(i, -1);
    }
  }

  /** Trials of an item: its impressions, or its judgements when impressions are not reported. */
  trials(i: number, impressions: number): number {
    return Math.max(impressions, this.successes.get(i) + this.failures.get(i));
  }

  /** The prior success rate of an item: its groups' pooled rate, shrunk to the global rate. */
  priorMean(groups: readonly string[]): number {
    const globalTrials = Math.max(this.globalImpressions, this.globalJudged);
    const globalMean = (this.globalSuccesses + 1) / (globalTrials + 2);
    let s = globalMean * GROUP_PRIOR;
    let t = GROUP_PRIOR;
    for (const key of groups) {
      const g = this.groups.get(key);
      if (g < 0) continue;
      s += this.groupSuccesses.get(g);
      t += Math.max(this.groupImpressions.get(g), this.groupJudged.get(g));
    }
    return s / t;
  }

  /** Explored impressions of user `u` in about the last hour. */
  recentExploredOf(u: number, nowMs: number): number {
    const r = this.recentExplored.get(u);
    return r === undefined ? 0 : r.count * decay(nowMs - r.atMs, HOUR_MS);
  }

  /** Records explored impressions served to user `u` (-1 when unknown): the audit and the bound. */
  recordServed(u: number, items: readonly number[], nowMs: number): void {
    if (items.length === 0) return;
    for (const i of items) this.explored.add(i, 1);
    this.exploredTotal += items.length;
    if (u < 0) return;
    this.recentExplored.set(u, { count: this.recentExploredOf(u, nowMs) + items.length, atMs: nowMs });
  }
}

/** The category and creator keys an item's prior is pooled over. */
export function priorGroups(state: OnlineState, i: number): string[] {
  const record = state.records[i];
  const out: string[] = [];
  const category = record?.category ?? record?.tags[0];
  if (category !== undefined) out.push(`category:${category}`);
  const c = state.creatorOf.get(i);
  if (c >= 0) out.push(`creator:${c}`);
  return out;
}

/** Why an item was explored: the user's recent item and tag it shares, when there is one. */
export interface ExplorationPick {
  sample: number;
  because?: number;
  tag?: string;
}

/**
 * Reserves `floor(n * share)` slots of a feed (fewer when the user is at their hourly bound) for
 * little-exposed items chosen by Thompson sampling, and moves them into `order` at positions spread
 * through the first `n`. A user with history is explored within the tags of their recent positive
 * items; a user without is explored among the newest items.
 */
export function planExploration(
  state: OnlineState,
  config: EngineConfig,
  u: number,
  user: UserState | undefined,
  order: number[],
  n: number,
  nowMs: number,
  rng: Random,
  excluded: (i: number) => boolean,
): Map<number, ExplorationPick> {
  const options = config.exploration;
  const stats = state.exploration;
  let slots = Math.floor(n * options.share);
  if (u >= 0)
    slots = Math.min(slots, Math.floor(options.maxPerUserPerHour - stats.recentExploredOf(u, nowMs)));
  const picks = new Map<number, ExplorationPick>();
  if (slots <= 0) return picks;
  const head = new Set(order.slice(0, n));
  const eligible = (i: number): boolean =>
    !head.has(i) && !excluded(i) && state.impressions.get(i) < options.maxImpressions;

  const pool = new Map<number, { because?: number; tag?: string }>();
  const recent = user?.recent.slice(-INTEREST_ITEMS) ?? [];
  for (let r = recent.length - 1; r >= 0; r--) {
    const h = recent[r]!;
    for (const tag of state.records[h]?.tags ?? []) {
      for (const i of state.itemsByTag.get(tag) ?? []) {
        if (!pool.has(i) && eligible(i)) pool.set(i, { because: h, tag });
      }
    }
  }
  if (recent.length === 0) {
    const newest = topK(state.createdAt.data.subarray(0, state.itemCount), COLD_POOL, (i) => !eligible(i));
    for (const i of newest) pool.set(i, {});
  }
  if (pool.size === 0) return picks;

  const items = [...pool.keys()];
  const successes = new Float64Array(items.length);
  const failures = new Float64Array(items.length);
  const priorMean = new Float64Array(items.length);
  const boost = new Float64Array(items.length);
  items.forEach((i, k) => {
    successes[k] = stats.successes.get(i);
    failures[k] = stats.trials(i, state.impressions.get(i)) - successes[k]!;
    priorMean[k] = stats.priorMean(priorGroups(state, i));
    boost[k] = 1 + options.freshBoost * decay(nowMs - state.createdAt.get(i), options.freshHalfLifeMs);
  });
  const chosen = pickExploration(
    { items, successes, failures, priorMean, boost },
    slots,
    options.priorStrength,
    rng,
  );
  const positions = spreadPositions(n, chosen.items.length);
  chosen.items.forEach((i, k) => {
    const at = order.indexOf(i);
    if (at >= 0) order.splice(at, 1);
    order.splice(Math.min(positions[k]!, order.length), 0, i);
    picks.set(i, { sample: chosen.samples[k]!, ...pool.get(i) });
  });
  return picks;
}
