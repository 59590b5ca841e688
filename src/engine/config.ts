/** Engine settings; every duration carries its unit in its name. */
export interface EngineConfig {
  /** Half-life of item popularity. */
  popularityHalfLifeMs: number;
  /** Half-life of a user's signals: older views count less in the feed. */
  signalHalfLifeMs: number;
  /** How many of a user's recent positive items seed co-occurrence and candidates. */
  recentItems: number;
  /** Shrink term of the co-occurrence cosine; larger means weak evidence scores lower. */
  cooccurrenceShrink: number;
  /** Items created within this window count as fresh. */
  freshWindowMs: number;
  /** At most `maxPerCreator` items of one creator in any `window` consecutive feed items. */
  creatorDiversity: { window: number; maxPerCreator: number };
  /** Most events accepted in one request. */
  maxEventsPerBatch: number;
  /** Most items accepted in one request. */
  maxItemsPerBatch: number;
  /** Cap on one user's contribution to one item's popularity (in event weight units). */
  maxUserItemWeight: number;
  /**
   * Burst damping: a new account (first event less than `newAccountMinAgeMs` ago, or fewer than
   * `newAccountMinItems` distinct items) adds to an item's popularity only from a per-item budget
   * of `newAccountItemBudget` per `newAccountWindowMs`, plus `newAccountSupportRatio` times what
   * established accounts added to it in the window. Ages and windows use event times.
   */
  newAccountMinAgeMs: number;
  newAccountMinItems: number;
  newAccountItemBudget: number;
  newAccountSupportRatio: number;
  newAccountWindowMs: number;
}

export const DEFAULT_ENGINE_CONFIG: Readonly<EngineConfig> = {
  popularityHalfLifeMs: 24 * 3600 * 1000,
  signalHalfLifeMs: 14 * 24 * 3600 * 1000,
  recentItems: 50,
  cooccurrenceShrink: 10,
  freshWindowMs: 48 * 3600 * 1000,
  creatorDiversity: { window: 10, maxPerCreator: 2 },
  maxEventsPerBatch: 10_000,
  maxItemsPerBatch: 10_000,
  maxUserItemWeight: 5,
  newAccountMinAgeMs: 24 * 3600 * 1000,
  newAccountMinItems: 3,
  newAccountItemBudget: 100,
  newAccountSupportRatio: 4,
  newAccountWindowMs: 3600 * 1000,
};
