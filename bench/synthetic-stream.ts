// A seeded synthetic platform for the scale benchmarks: items with creators and tags, users, and
// events whose items follow a Zipf-like popularity (a few items get most events).
import { createRandom } from '../src/core/random.js';
import { EVENT_TYPES, type EventType } from '../src/types.js';

export interface SyntheticSize {
  items: number;
  users: number;
}

export interface SyntheticEvent {
  userId: string;
  itemId: string;
  type: EventType;
  at: number;
  watchRatio: number;
}

export const SYNTHETIC_T0 = Date.UTC(2026, 10, 1);

export function syntheticItem(i: number): {
  id: string;
  creatorId: string;
  tags: string[];
  createdAt: number;
} {
  return {
    id: `item-${i}`,
    creatorId: `creator-${i % 5_000}`,
    tags: [`tag${i % 300}`, `tag${(i * 7) % 300}`],
    createdAt: SYNTHETIC_T0 - i * 1_000,
  };
}

/** Calls `visit` with `count` events in time order, from a fixed seed. */
export function syntheticEvents(
  size: SyntheticSize,
  count: number,
  visit: (event: SyntheticEvent, k: number) => void,
  seed = 1,
): void {
  const random = createRandom(seed);
  for (let k = 0; k < count; k++) {
    visit(
      {
        userId: `user-${random.int(size.users)}`,
        itemId: `item-${Math.floor(size.items * random.next() ** 3)}`,
        // No impressions: every event here changes a user's history.
        type: EVENT_TYPES[1 + random.int(5)]!,
        at: SYNTHETIC_T0 + k,
        watchRatio: random.next(),
      },
      k,
    );
  }
}
