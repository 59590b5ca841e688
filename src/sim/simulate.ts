import { createRandom } from '../core/random.js';
import type { EngineConfig } from '../engine/config.js';
import type { SimItem } from './catalogue.js';
import {
  createOraclePolicy,
  createPopularityPolicy,
  createRandomPolicy,
  createSetlistPolicy,
  type Policy,
  type PolicyName,
} from './policies.js';
import { createWorld, respond, type World } from './world.js';

export interface SimulationOptions {
  users: number;
  rounds: number;
  /** Items per served feed. */
  feedSize: number;
  /** Simulated time between two rounds. */
  roundMs: number;
  seed: number;
  shiftShare: number;
  newItemShare: number;
  policies: PolicyName[];
  engineConfig?: Partial<EngineConfig>;
  /**
   * Trains setlist's batch model at the start of every this many rounds (the first at round
   * `trainEvery`), as a deployed engine retrains on a schedule; 0 never trains, and feeds rank
   * without a model (the default).
   */
  trainEvery?: number;
  /** Called after every round of every policy (progress). */
  onRound?: (policy: PolicyName, round: number) => void;
}

export const DEFAULT_SIMULATION_OPTIONS: Readonly<SimulationOptions> = {
  users: 200,
  rounds: 32,
  feedSize: 10,
  roundMs: 30 * 60 * 1000,
  seed: 42,
  shiftShare: 0.3,
  newItemShare: 0.01,
  policies: ['setlist', 'random', 'popularity', 'oracle'],
};

export interface PolicyReport {
  name: PolicyName;
  /** Mean watch ratio of served items, per round: the learning curve. */
  curve: number[];
  /** Mean watch ratio over the last quarter of rounds. */
  lastQuarter: number;
  /** lastQuarter as a share of the oracle's (null without an oracle run). */
  oracleShare: number | null;
  /**
   * Of users whose interest shifted: interactions (served and answered items) after the shift until the
   * new interest is the top facet of their profile; null for policies without profiles.
   */
  adaptation: {
    shifted: number;
    /** Users who were served at least one item of their new interest after the shift. */
    exposed: number;
    /** Users whose top facet became the new interest before the run ended. */
    adapted: number;
    /** Users whose top facet became the new interest within 10 interactions with it. */
    withinTarget: number;
    share: number;
    /** Median over adapted users of their interactions with the new interest until then. */
    medianOnNewInterest: number | null;
    /** Median over adapted users of all their interactions since the shift until then. */
    medianInteractions: number | null;
  } | null;
  /** New items that got at least 20 impressions within their first simulated hour. */
  newItems: { counted: number; reached: number; share: number };
  /** Share of the catalogue served at least once. */
  coverage: number;
  /** Served items and their mean watch ratio per reason source (setlist only; exploration apart). */
  sources: { source: string; served: number; meanWatchRatio: number }[];
  elapsedMs: number;
}

export interface Target {
  name: string;
  value: number | null;
  target: string;
  met: boolean;
}

export interface SimulationReport {
  options: Omit<SimulationOptions, 'onRound' | 'engineConfig'> & { items: number; categories: number };
  policies: PolicyReport[];
  /** setlist's high-appeal new items (top quarter of new items' appeal) that entered /v1/trending. */
  trending: { highAppealNew: number; entered: number; share: number } | null;
  targets: Target[];
}

const HOUR_MS = 3600 * 1000;
const T0 = Date.UTC(2026, 0, 5);
const NEW_ITEM_IMPRESSIONS = 20;
/** The bound: the new interest leads the profile within this many interactions with it. */
const ADAPTATION_INTERACTIONS = 10;

/**
 * An online simulation: synthetic users with known multi-category tastes answer every served feed
 * with watch ratios, likes and skips; a share of users shifts interest midway; new items arrive
 * during the run. Each policy runs the same world with the same random streams.
 *
 * @example
 * const report = await runSimulation(readKuaiRecCatalogue(dir), DEFAULT_SIMULATION_OPTIONS);
 */
export async function runSimulation(items: SimItem[], options: SimulationOptions): Promise<SimulationReport> {
  const world = createWorld(items, options);
  const reports: PolicyReport[] = [];
  let trending: SimulationReport['trending'] = null;
  for (const name of options.policies) {
    const result = await runPolicy(world, name, options);
    reports.push(result.report);
    if (result.trending !== null) trending = result.trending;
  }
  const oracle = reports.find((r) => r.name === 'oracle');
  for (const r of reports)
    r.oracleShare = oracle === undefined ? null : round3(r.lastQuarter / oracle.lastQuarter);
  return {
    options: {
      users: options.users,
      rounds: options.rounds,
      feedSize: options.feedSize,
      roundMs: options.roundMs,
      seed: options.seed,
      shiftShare: options.shiftShare,
      newItemShare: options.newItemShare,
      policies: options.policies,
      trainEvery: options.trainEvery ?? 0,
      items: items.length,
      categories: world.categories.length,
    },
    policies: reports,
    trending,
    targets: targets(reports, trending),
  };
}

async function runPolicy(
  world: World,
  name: PolicyName,
  options: SimulationOptions,
): Promise<{ report: PolicyReport; trending: SimulationReport['trending'] }> {
  const started = Date.now();
  let nowMs = T0;
  const clock = { now: () => nowMs };
  const policy = await createPolicy(world, name, options, clock);
  const rng = createRandom(options.seed + 1);
  const order = Array.from(world.users, (_, u) => u);
  const itemCount = world.items.length;
  const impressions = new Int32Array(itemCount);
  const firstHour = new Int32Array(itemCount);
  const arrivedAt = new Float64Array(itemCount).fill(Number.NaN);
  const curve: number[] = [];
  // Per user: interactions since the shift, those on the new interest, and both when it led the profile.
  const sinceShift = new Int32Array(world.users.length);
  const onNewInterest = new Int32Array(world.users.length);
  const adaptedAfter = new Int32Array(world.users.length).fill(-1);
  const adaptedOnNew = new Int32Array(world.users.length).fill(-1);
  const inTrending = new Set<string>();
  const bySource = new Map<string, { served: number; watchRatio: number }>();

  for (let r = 0; r < options.rounds; r++) {
    nowMs = T0 + r * options.roundMs;
    const arriving: number[] = [];
    for (let i = 0; i < itemCount; i++) if (world.arrivalRound[i] === r) arriving.push(i);
    if (arriving.length > 0) {
      await policy.arrive(arriving, nowMs, r > 0);
      for (const i of arriving) arrivedAt[i] = nowMs;
    }
    policy.startRound(r, nowMs);
    const trainEvery = options.trainEvery ?? 0;
    if (trainEvery > 0 && r > 0 && r % trainEvery === 0) await policy.train?.();
    rng.shuffle(order);
    let sum = 0;
    let count = 0;
    for (let k = 0; k < order.length; k++) {
      const u = order[k]!;
      nowMs = T0 + r * options.roundMs + Math.floor((k * options.roundMs) / order.length);
      const tastes = r >= world.shiftRound ? world.shifted[u]! : world.users[u]!;
      const { items: served, sources } = await policy.serve(u, options.feedSize, nowMs);
      const responses = served.map((i) => respond(world, tastes, i, rng));
      await policy.observe(u, served, responses, nowMs);
      served.forEach((i, s) => {
        const resp = responses[s]!;
        sum += resp.watchRatio;
        count++;
        const source = sources?.[s];
        if (source !== undefined) {
          const agg = bySource.get(source) ?? { served: 0, watchRatio: 0 };
          agg.served++;
          agg.watchRatio += resp.watchRatio;
          bySource.set(source, agg);
        }
        impressions[i]!++;
        if (nowMs - arrivedAt[i]! < HOUR_MS) firstHour[i]!++;
      });
      if (tastes.shiftTo >= 0 && r >= world.shiftRound && adaptedAfter[u] === -1) {
        sinceShift[u] = sinceShift[u]! + served.length;
        for (const i of served) if (world.categoryOf[i] === tastes.shiftTo) onNewInterest[u]!++;
        if (policy.topCategory !== undefined && (await policy.topCategory(u)) === tastes.shiftTo) {
          adaptedAfter[u] = sinceShift[u]!;
          adaptedOnNew[u] = onNewInterest[u]!;
        }
      }
    }
    curve.push(round3(count === 0 ? 0 : sum / count));
    if (policy.trending !== undefined) for (const id of await policy.trending(nowMs)) inTrending.add(id);
    options.onRound?.(name, r);
  }
  const endMs = T0 + options.rounds * options.roundMs;

  const q = Math.max(1, Math.floor(options.rounds / 4));
  const tail = curve.slice(-q);
  const shiftedUsers = world.users.map((u, k) => (u.shiftTo >= 0 ? k : -1)).filter((k) => k >= 0);
  const adapted = shiftedUsers.filter((u) => adaptedAfter[u]! >= 0);
  const withinTarget = adapted.filter((u) => adaptedOnNew[u]! <= ADAPTATION_INTERACTIONS).length;
  const adaptation: PolicyReport['adaptation'] =
    policy.topCategory === undefined
      ? null
      : {
          shifted: shiftedUsers.length,
          exposed: shiftedUsers.filter((u) => onNewInterest[u]! > 0).length,
          adapted: adapted.length,
          withinTarget,
          share: round3(shiftedUsers.length === 0 ? 0 : withinTarget / shiftedUsers.length),
          medianOnNewInterest: median(adapted.map((u) => adaptedOnNew[u]!)),
          medianInteractions: median(adapted.map((u) => adaptedAfter[u]!)),
        };
  let counted = 0;
  let reached = 0;
  let served = 0;
  let available = 0;
  for (let i = 0; i < itemCount; i++) {
    if (impressions[i]! > 0) served++;
    if (world.arrivalRound[i]! < options.rounds) available++;
    if (world.arrivalRound[i]! > 0 && arrivedAt[i]! + HOUR_MS <= endMs) {
      counted++;
      if (firstHour[i]! >= NEW_ITEM_IMPRESSIONS) reached++;
    }
  }
  let trending: SimulationReport['trending'] = null;
  if (policy.trending !== undefined) {
    const fresh = [];
    for (let i = 0; i < itemCount; i++) {
      if (world.arrivalRound[i]! > 0 && arrivedAt[i]! + 2 * HOUR_MS <= endMs) fresh.push(i);
    }
    const appeals = fresh.map((i) => world.appeal[i]!).sort((a, b) => a - b);
    const cut = appeals[Math.floor(appeals.length * 0.75)] ?? Number.POSITIVE_INFINITY;
    const high = fresh.filter((i) => world.appeal[i]! >= cut);
    const entered = high.filter((i) => inTrending.has(world.items[i]!.id)).length;
    trending = {
      highAppealNew: high.length,
      entered,
      share: round3(high.length === 0 ? 0 : entered / high.length),
    };
  }
  return {
    report: {
      name,
      curve,
      lastQuarter: round3(tail.reduce((a, b) => a + b, 0) / tail.length),
      oracleShare: null,
      adaptation,
      newItems: { counted, reached, share: round3(counted === 0 ? 0 : reached / counted) },
      coverage: round3(available === 0 ? 0 : served / available),
      sources: [...bySource]
        .map(([source, a]) => ({ source, served: a.served, meanWatchRatio: round3(a.watchRatio / a.served) }))
        .sort((a, b) => b.served - a.served),
      elapsedMs: Date.now() - started,
    },
    trending,
  };
}

async function createPolicy(
  world: World,
  name: PolicyName,
  options: SimulationOptions,
  clock: { now: () => number },
): Promise<Policy> {
  switch (name) {
    case 'setlist':
      return createSetlistPolicy(world, options.seed, clock, options.engineConfig);
    case 'random':
      return createRandomPolicy(world, options.seed);
    case 'popularity':
      return createPopularityPolicy(world, options.seed);
    case 'oracle':
      return createOraclePolicy(world);
  }
}

function targets(reports: PolicyReport[], trending: SimulationReport['trending']): Target[] {
  const of = (name: PolicyName) => reports.find((r) => r.name === name);
  const setlist = of('setlist');
  const popularity = of('popularity');
  const out: Target[] = [];
  if (setlist === undefined) return out;
  if (setlist.oracleShare !== null) {
    out.push({
      name: 'setlist reward, share of oracle (last quarter)',
      value: setlist.oracleShare,
      target: '>= 0.70',
      met: setlist.oracleShare >= 0.7,
    });
  }
  if (popularity !== undefined) {
    const ratio = round3(setlist.lastQuarter / popularity.lastQuarter);
    out.push({
      name: 'setlist / popularity-only (last quarter)',
      value: ratio,
      target: '>= 1.30',
      met: ratio >= 1.3,
    });
  }
  if (setlist.adaptation !== null) {
    const share = setlist.adaptation.share;
    // "Within 10 interactions" for the median shifted user: at least half of them.
    out.push({
      name: `shifted users whose new interest is their top facet within ${ADAPTATION_INTERACTIONS} interactions with it`,
      value: share,
      target: '>= 0.50',
      met: share >= 0.5,
    });
  }
  out.push({
    name: 'new items with >= 20 impressions in their first hour',
    value: setlist.newItems.share,
    target: '>= 0.90',
    met: setlist.newItems.share >= 0.9,
  });
  if (trending !== null) {
    out.push({
      name: 'high-appeal new items that entered /v1/trending',
      value: trending.share,
      target: '>= 0.50',
      met: trending.share >= 0.5,
    });
  }
  return out;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
