// Measures the memory (JS heap and typed arrays) the online state needs per item, per user and per event, for sizing API nodes
// (docs/guides/scale-out.md), and how fast events are applied in process.
// Run: node --expose-gc --import tsx bench/online-memory.ts [events] [items] [users]
import { DEFAULT_ENGINE_CONFIG } from '../src/engine/config.js';
import { OnlineState } from '../src/engine/online-state.js';
import type { ItemId, UserId } from '../src/types.js';
import { SYNTHETIC_T0, type SyntheticEvent, syntheticEvents, syntheticItem } from './synthetic-stream.js';

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
const items = Number(process.argv[3] ?? Math.round(events / 10));
const users = Number(process.argv[4] ?? Math.round(events / 20));
const state = new OnlineState(DEFAULT_ENGINE_CONFIG);

const base = heap();
for (let i = 0; i < items; i++) {
  const item = syntheticItem(i);
  state.upsertItem({
    id: item.id as ItemId,
    creatorId: item.creatorId as never,
    caption: `a short caption for item ${i}`,
    tags: item.tags,
    createdAt: item.createdAt,
    updatedAt: SYNTHETIC_T0,
    visibility: 'visible',
  });
}
const afterItems = heap();

// Events are generated ahead in chunks so that only applying them is timed.
const CHUNK = 100_000;
let wallMs = 0;
let cpuMs = 0;
let applied = 0;
const applyEvents = (n: number): void => {
  const chunk: SyntheticEvent[] = [];
  const flush = (): void => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (const e of chunk)
      state.apply({ ...e, userId: e.userId as UserId, itemId: e.itemId as ItemId, seq: ++applied });
    wallMs += performance.now() - start;
    const used = process.cpuUsage(cpu);
    cpuMs += (used.user + used.system) / 1000;
    chunk.length = 0;
  };
  syntheticEvents(
    { items, users },
    n,
    (e) => {
      chunk.push(e);
      if (chunk.length === CHUNK) flush();
    },
    1 + applied,
  );
  flush();
};
applyEvents(events / 2);
const half = heap();
applyEvents(events / 2);
const full = heap();

const result = {
  items,
  users,
  events,
  bytesPerItem: Math.round((afterItems - base) / items),
  bytesPerUser: Math.round((full - afterItems) / users),
  bytesPerEvent: Math.round((full - afterItems) / events),
  marginalBytesPerEvent: Math.round((full - half) / (events / 2)),
  eventsPerSecond: Math.round((events / wallMs) * 1000),
  eventsPerCpuSecond: Math.round((events / cpuMs) * 1000),
};
console.log(JSON.stringify(result));
console.log(`items ${items}, users ${users}, events ${events}`);
console.log(`memory per item (catalogue, indexes): ${result.bytesPerItem} B`);
console.log(
  `memory after all events, per user: ${result.bytesPerUser} B; per event: ${result.bytesPerEvent} B`,
);
console.log(`marginal memory per event (second half): ${result.marginalBytesPerEvent} B`);
console.log(
  `apply: ${result.eventsPerSecond} events/s wall, ${result.eventsPerCpuSecond} events per CPU second, one thread`,
);
