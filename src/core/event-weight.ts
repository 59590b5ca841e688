import type { EventType } from '../types.js';

/** Per-type weights of the implicit feedback signal; negative types push an item down. */
export const DEFAULT_EVENT_WEIGHTS: Readonly<Record<EventType, number>> = {
  impression: 0,
  view: 1,
  like: 2,
  comment: 2,
  share: 3,
  follow: 3,
  skip: -1,
  not_interested: -3,
  report: -5,
};

/** Below this watch ratio a view counts as a weak negative (the viewer swiped away early). */
export const SHORT_VIEW_RATIO = 0.2;
/** A view with no watch ratio or duration counts as half watched. */
export const UNKNOWN_WATCH_RATIO = 0.5;

/**
 * The signed strength of one event. A view is scaled by how much of the item was watched (capped at
 * 1.5 so that loops on a short clip do not dominate); a very short view is a weak negative.
 *
 * @example
 * eventWeight('view', 0.8); // 0.8
 * eventWeight('like');      // 2
 */
export function eventWeight(
  type: EventType,
  watchRatio: number | undefined = undefined,
  weights: Readonly<Record<EventType, number>> = DEFAULT_EVENT_WEIGHTS,
): number {
  if (type !== 'view') return weights[type];
  const ratio = watchRatio ?? UNKNOWN_WATCH_RATIO;
  if (ratio < SHORT_VIEW_RATIO) return -0.25 * weights.view;
  return Math.min(ratio, 1.5) * weights.view;
}

/** Exponential decay with a half-life: 1 at age 0, 0.5 at one half-life. */
export function decay(ageMs: number, halfLifeMs: number): number {
  if (ageMs <= 0) return 1;
  return 2 ** (-ageMs / halfLifeMs);
}
