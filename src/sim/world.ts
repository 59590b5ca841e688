import { createRandom, type Random } from '../core/random.js';
import type { SimItem } from './catalogue.js';

/** A simulated user with known tastes: a weight per first-level category. */
export interface SimUser {
  /** Category index -> taste weight; the largest is 1. */
  match: Float64Array;
  /** The category that becomes dominant at the shift, or -1 for users whose taste stays. */
  shiftTo: number;
}

/** The ground truth of a simulation: items with true appeal, users with tastes, arrival times. */
export interface World {
  items: SimItem[];
  categories: string[];
  categoryOf: Int32Array;
  /** True item-level appeal, standard normal. */
  appeal: Float64Array;
  /** Round at which the item appears; 0 for the starting catalogue. */
  arrivalRound: Int32Array;
  users: SimUser[];
  /** Users' tastes after their shift (the same object for users who do not shift). */
  shifted: SimUser[];
  shiftRound: number;
}

export interface WorldOptions {
  users: number;
  rounds: number;
  seed: number;
  /** Share of users whose interest shifts to a new dominant category midway. */
  shiftShare: number;
  /** Share of the catalogue held back and released during the run as new items. */
  newItemShare: number;
}

const UNKNOWN = 'UNKNOWN';

/**
 * Draws a world: each user likes 2–4 categories (picked with probability growing with the square root
 * of a category's size) with random weights; a share of users later gains a new dominant category;
 * a share of items arrives during the first three quarters of the run.
 */
export function createWorld(items: SimItem[], options: WorldOptions): World {
  const rng = createRandom(options.seed);
  const categories = [...new Set(items.map((i) => i.category))].sort();
  const index = new Map(categories.map((c, k) => [c, k]));
  const categoryOf = Int32Array.from(items, (i) => index.get(i.category)!);
  const appeal = Float64Array.from(items, () => rng.normal());
  const arrivalRound = new Int32Array(items.length);
  const lastArrival = Math.max(1, Math.floor(options.rounds * 0.75));
  for (let k = 0; k < items.length; k++) {
    if (rng.next() < options.newItemShare) arrivalRound[k] = 1 + rng.int(lastArrival);
  }
  const sizes = new Float64Array(categories.length);
  for (const c of categoryOf) sizes[c]!++;
  const pickable = categories.map((c, k) => (c === UNKNOWN ? 0 : Math.sqrt(sizes[k]!)));
  const users: SimUser[] = [];
  const shifted: SimUser[] = [];
  for (let u = 0; u < options.users; u++) {
    const facets = 2 + rng.int(3);
    const match = new Float64Array(categories.length);
    for (let f = 0; f < facets; f++) match[sample(pickable, rng, match)] = 0.3 + rng.next();
    normalise(match);
    const user: SimUser = { match, shiftTo: -1 };
    users.push(user);
    if (rng.next() < options.shiftShare) {
      const to = sample(pickable, rng, match);
      const after = Float64Array.from(match, (w) => w * 0.5);
      after[to] = 1;
      user.shiftTo = to;
      shifted.push({ match: after, shiftTo: to });
    } else {
      shifted.push(user);
    }
  }
  return {
    items,
    categories,
    categoryOf,
    appeal,
    arrivalRound,
    users,
    shifted,
    shiftRound: Math.floor(options.rounds / 2),
  };
}

/** The noise-free propensity of a user for an item; the watch ratio is its logistic. */
export function propensity(world: World, user: SimUser, item: number): number {
  return -1.6 + 3.2 * user.match[world.categoryOf[item]!]! + 0.7 * world.appeal[item]!;
}

/** How one simulated user answers one served item. */
export interface Response {
  watchRatio: number;
  like: boolean;
  skip: boolean;
}

export function respond(world: World, user: SimUser, item: number, rng: Random): Response {
  const watchRatio = sigmoid(propensity(world, user, item) + 0.6 * rng.normal());
  return {
    watchRatio,
    like: watchRatio >= 0.5 && rng.next() < 0.5 * watchRatio * watchRatio,
    skip: watchRatio < 0.15,
  };
}

/** Whether a response counts as positive engagement (for the adaptation measure). */
export function isPositive(r: Response): boolean {
  return r.like || r.watchRatio >= 0.5;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function sample(weights: readonly number[], rng: Random, taken: Float64Array): number {
  let total = 0;
  for (let k = 0; k < weights.length; k++) if (taken[k] === 0) total += weights[k]!;
  let r = rng.next() * total;
  for (let k = 0; k < weights.length; k++) {
    if (taken[k] !== 0) continue;
    r -= weights[k]!;
    if (r < 0) return k;
  }
  for (let k = weights.length - 1; k >= 0; k--) if (taken[k] === 0 && weights[k]! > 0) return k;
  return 0;
}

function normalise(match: Float64Array): void {
  let max = 0;
  for (const w of match) max = Math.max(max, w);
  if (max > 0) for (let k = 0; k < match.length; k++) match[k] = match[k]! / max;
}
