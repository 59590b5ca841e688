// Measures the memory (JS heap and typed arrays) the online state needs per item, per user and per event, for sizing API nodes
// (docs/guides/scale-out.md). Run: node --expose-gc --import tsx bench/online-memory.ts [events]
import { createRandom } from '../src/core/random.js';
import { DEFAULT_ENGINE_CONFIG } from '../src/engine/config.js';
import { OnlineState } from '../src/engine/online-state.js';
import { EVENT_TYPES, type ItemId, type UserId } from '../src/types.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const heap = (): number => {
  gc();
  gc();
  const m = process.memoryUsage();
  // Typed arrays live outside the JS heap.
  return m.heapUsed + m.arrayBuffers;
};

const events = Number(process.argv[2] ?? 1_000_000);
const items = Math.round(events / 10);
const users = Math.round(events / 20);
const random = createRandom(1);
const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
const t0 = Date.UTC(2026, 10, 1);

const base = heap();
for (let i = 0; i < items; i++) {
  state.upsertItem({
    id: `item-${i}` as ItemId,
    creatorId: `creator-${i % 5_000}` as never,
    caption: `a short caption for item ${i}`,
    tags: [`tag${i % 300}`, `tag${(i * 7) % 300}`],
    createdAt: t0 - i * 1_000,
    updatedAt: t0,
    visibility: 'visible',
  });
}
const afterItems = heap();
let applied = 0;
const applyEvents = (n: number): number => {
  const start = performance.now();
  for (let k = 0; k < n; k++, applied++) {
    // Zipf-like popularity: a few items get most events.
    const i = Math.floor(items * random.next() ** 3);
    state.apply({
      userId: `user-${random.int(users)}` as UserId,
      itemId: `item-${i}` as ItemId,
      type: EVENT_TYPES[1 + random.int(5)]!,
      at: t0 + applied,
      watchRatio: random.next(),
      seq: applied + 1,
    });
  }
  return performance.now() - start;
};
const firstMs = applyEvents(events / 2);
const half = heap();
const secondMs = applyEvents(events / 2);
const full = heap();

console.log(`items ${items}, users ${users}, events ${events}`);
console.log(`memory per item (catalogue, indexes): ${((afterItems - base) / items).toFixed(0)} B`);
console.log(`memory after all events, per user: ${((full - afterItems) / users).toFixed(0)} B`);
console.log(`marginal memory per event (second half): ${((full - half) / (events / 2)).toFixed(0)} B`);
console.log(`apply: ${((events / (firstMs + secondMs)) * 1000).toFixed(0)} events/s on one core`);
