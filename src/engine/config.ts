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
  /** Rising items and tags: decayed engagement at two half-lives, distinct users, capped per user. */
  trends: {
    shortHalfLifeMs: number;
    longHalfLifeMs: number;
    /** Least short-horizon support (distinct trusted users, decayed) for a trend. */
    minSupport: number;
    /** Least short/long rate ratio against the key's own baseline. */
    minVelocity: number;
    /** A user counts at most once per item and per tag within this window. */
    userCooldownMs: number;
    /** An account's vote grows with its history and is full after this many distinct items. */
    trustItems: number;
    /** An item or tag counted for less than this has no baseline yet: its first audience is a rise. */
    youngMs: number;
    /** A just-posted item's trend score is multiplied by 1 + newItemBoost, decaying with its age. */
    newItemBoost: number;
    newItemHalfLifeMs: number;
  };
  /** Thompson-sampling exploration of items with little exposure. */
  exploration: {
    /** Share of feed slots reserved for exploration (floor(n * share) slots). */
    share: number;
    /** Items with fewer impressions than this can be explored. */
    maxImpressions: number;
    /** A view at or above this watch ratio is a success; below it, a failure. */
    successWatchRatio: number;
    /** Pseudo-count of the Beta prior centred on the item's category and creator mean. */
    priorStrength: number;
    /** Share of a user-with-history's exploration slots open to items outside their tags. */
    openShare: number;
    /** At most this many explored impressions per user per hour (decayed count). */
    maxPerUserPerHour: number;
    /** New items' sampled value is multiplied by 1 + freshBoost at age 0, decaying with freshHalfLifeMs. */
    freshBoost: number;
    freshHalfLifeMs: number;
    /**
     * A user whose recent engagement rate (the share of their last events, about ten, that were
     * watched at least half or liked) falls below this, or 0.15 below their own rate over about fifty
     * events, is discovering: their feed explores
     * `discoveryShare` of its slots, the extra ones among well-liked items of tags they have not engaged with.
     */
    discoveryBelow: number;
    discoveryShare: number;
  };
  /** When personal candidates exist, at most this share of a feed comes from popularity alone. */
  maxPopularShare: number;
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
  trends: {
    shortHalfLifeMs: 3600 * 1000,
    longHalfLifeMs: 24 * 3600 * 1000,
    minSupport: 4,
    minVelocity: 1.5,
    userCooldownMs: 24 * 3600 * 1000,
    trustItems: 5,
    youngMs: 2 * 3600 * 1000,
    newItemBoost: 2,
    newItemHalfLifeMs: 12 * 3600 * 1000,
  },
  exploration: {
    share: 0.1,
    maxImpressions: 24,
    successWatchRatio: 0.6,
    priorStrength: 4,
    openShare: 0.7,
    maxPerUserPerHour: 12,
    freshBoost: 20,
    freshHalfLifeMs: 3600 * 1000,
    discoveryBelow: 0.3,
    discoveryShare: 0.4,
  },
  maxPopularShare: 0.5,
};
