// Measures the memory (JS heap and typed arrays) the online state needs per item, per user and per event, for sizing API nodes
// (docs/guides/scale-out.md), and how fast events are applied in process.
// Run: node --expose-gc --import tsx bench/online-memory.ts [events] [items] [users]
//      node --expose-gc --import tsx bench/online-memory.ts --items 300000 --users 300000 --events 6000000
// The flags apply `npm run bench`'s platform (bench/synthetic.ts: records as the SQLite store returns
// them, skewed users) instead of the uniform stream, and both forms end with the state's bytes per
// structure: each structure is dropped in turn and the heap and array buffers it freed are counted.
import { DEFAULT_ENGINE_CONFIG } from '../src/engine/config.js';
import { OnlineState } from '../src/engine/online-state.js';
import type { EventRecord, ItemId, ItemRecord, UserId } from '../src/types.js';
import { generatePlatform, parseFlags, platformEvents, platformItems } from './synthetic.js';
import { SYNTHETIC_T0, syntheticEvents, syntheticItem } from './synthetic-stream.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const heapAndBuffers = (): { heap: number; buffers: number } => {
  gc();
  gc();
  const m = process.memoryUsage();
  // Typed arrays live outside the JS heap.
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
};
const used = (): number => {
  const m = heapAndBuffers();
  return m.heap + m.buffers;
};

const flags = parseFlags(process.argv.slice(2));
const platformMode = flags.has('events') || flags.has('items') || flags.has('users');
const events = Number(flags.get('events') ?? process.argv[2] ?? 1_000_000);
const items = Number(flags.get('items') ?? process.argv[3] ?? Math.round(events / 10));
const users = Number(flags.get('users') ?? process.argv[4] ?? Math.round(events / 20));
const state = new OnlineState(DEFAULT_ENGINE_CONFIG);
const platform = platformMode ? generatePlatform({ items, users, events }) : undefined;

const base = used();
if (platform !== undefined) {
  for (let start = 0; start < items; start += 10_000) {
    // As the store returns them: one parsed document per record.
    for (const record of platformItems(platform, start, start + 10_000, SYNTHETIC_T0))
      state.upsertItem(JSON.parse(JSON.stringify(record)) as ItemRecord);
  }
} else {
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
}
const afterItems = used();

// Events are generated ahead in chunks so that only applying them is timed.
const CHUNK = 100_000;
let wallMs = 0;
let cpuMs = 0;
let applied = 0;
const applyChunk = (chunk: readonly EventRecord[]): void => {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (const e of chunk) state.apply({ ...e, seq: ++applied });
  wallMs += performance.now() - start;
  const spent = process.cpuUsage(cpu);
  cpuMs += (spent.user + spent.system) / 1000;
};
const applyEvents = (n: number): void => {
  if (platform !== undefined) {
    const stop = applied + n;
    for (let start = applied; start < stop; ) {
      const end = Math.min(stop, start + CHUNK);
      applyChunk(platformEvents(platform, start, end, SYNTHETIC_T0));
      start = end;
    }
    return;
  }
  const chunk: EventRecord[] = [];
  syntheticEvents(
    { items, users },
    n,
    (e) => {
      chunk.push({ ...e, userId: e.userId as UserId, itemId: e.itemId as ItemId });
      if (chunk.length === CHUNK) {
        applyChunk(chunk);
        chunk.length = 0;
      }
    },
    1 + applied,
  );
  applyChunk(chunk);
};
applyEvents(Math.floor(events / 2));
const half = used();
applyEvents(events - Math.floor(events / 2));
const full = used();
const after = heapAndBuffers();

const result = {
  items,
  users,
  events,
  platform: platformMode,
  bytesPerItem: Math.round((afterItems - base) / items),
  bytesPerUser: Math.round((full - afterItems) / users),
  bytesPerEvent: Math.round((full - afterItems) / events),
  marginalBytesPerEvent: Math.round((full - half) / (events - Math.floor(events / 2))),
  eventsPerSecond: Math.round((events / wallMs) * 1000),
  eventsPerCpuSecond: Math.round((events / cpuMs) * 1000),
  heapMiB: Math.round((after.heap - 0) / 2 ** 20),
  arrayBuffersMiB: Math.round(after.buffers / 2 ** 20),
  rssMiB: Math.round(process.memoryUsage.rss() / 2 ** 20),
  userItemPages: userItemPagesUse(),
  structures: breakdown(),
};
console.log(JSON.stringify(result));
console.log(`items ${items}, users ${users}, events ${events}${platformMode ? ' (platform)' : ''}`);
console.log(`memory per item (catalogue, indexes): ${result.bytesPerItem} B`);
console.log(
  `memory after all events, per user: ${result.bytesPerUser} B; per event: ${result.bytesPerEvent} B`,
);
console.log(`marginal memory per event (second half): ${result.marginalBytesPerEvent} B`);
console.log(
  `apply: ${result.eventsPerSecond} events/s wall, ${result.eventsPerCpuSecond} events per CPU second, one thread`,
);
console.log(
  `after the events: heap used ${result.heapMiB} MiB, array buffers ${result.arrayBuffersMiB} MiB, RSS ${result.rssMiB} MiB`,
);
console.log(
  `users' item pages: ${result.userItemPages.pagesMiB} MiB, of which entries in use ${result.userItemPages.entriesMiB}, ` +
    `unused room in tables' blocks ${result.userItemPages.slackMiB}, released blocks ${result.userItemPages.releasedMiB}`,
);
console.table(result.structures);

/** How much of the users' item pages holds entries, how much is room left in live blocks, and how much was released. */
function userItemPagesUse(): Record<string, number> {
  const s = state as unknown as Record<string, unknown>;
  let entries = 0;
  let blocks = 0;
  // A table's head (user-items.ts): entries' block, capacity, size, then the recent and followed
  // lists' block, capacity and length.
  const heads = ((s.userColumns as { tables: unknown }).tables as { heads: Int32Array }).heads;
  // Entries of four floats; lists of int32s, two to a float.
  for (let u = 0; u < state.userStates.length; u++) {
    const h = 9 * u;
    entries += (heads[h + 2]! * 4 + Math.ceil(heads[h + 5]! / 2) + Math.ceil(heads[h + 8]! / 2)) * 8;
    blocks += (heads[h + 1]! * 4 + Math.ceil(heads[h + 4]! / 2) + Math.ceil(heads[h + 7]! / 2)) * 8;
  }
  const released = state.userItemPages.releasedBytes;
  const MiB = (b: number): number => round1(b / 2 ** 20);
  return {
    pagesMiB: MiB(state.userItemPages.byteLength),
    entriesMiB: MiB(entries),
    slackMiB: MiB(blocks - entries),
    releasedMiB: MiB(released),
  };
}

/**
 * Drops the state's structures one at a time (the state is unusable afterwards) and counts what each
 * freed: V8 heap and array buffers, in MiB and in bytes per item, user and event.
 */
function breakdown(): Record<string, string | number>[] {
  const s = state as unknown as Record<string, unknown>;
  const rows: Record<string, string | number>[] = [];
  let last = heapAndBuffers();
  const drop = (name: string, free: () => void): void => {
    free();
    const now = heapAndBuffers();
    const heap = last.heap - now.heap;
    const buffers = last.buffers - now.buffers;
    rows.push({
      structure: name,
      heapMiB: round1(heap / 2 ** 20),
      buffersMiB: round1(buffers / 2 ** 20),
      perItemB: Math.round((heap + buffers) / items),
      perUserB: Math.round((heap + buffers) / users),
      perEventB: Math.round((heap + buffers) / events),
    });
    last = now;
  };
  const clear = (key: string): void => {
    const value = s[key];
    if (Array.isArray(value)) value.length = 0;
    else if (value instanceof Map || value instanceof Set) value.clear();
    else s[key] = undefined;
  };
  drop('cooccurrence', () => clear('cooccurrence'));
  drop('user states (numbers, tables, strikes)', () => {
    clear('userStates');
    clear('userColumns');
  });
  drop('user item pages', () => clear('userItemPages'));
  drop('user records', () => clear('userRecords'));
  drop('trends', () => clear('trends'));
  drop('exploration', () => clear('exploration'));
  drop('popular, fresh and tag pools', () => {
    clear('popularPool');
    clear('freshPool');
    clear('tagPools');
  });
  drop('itemsByTag', () => clear('itemsByTag'));
  drop('tagItemLists, tagNames', () => {
    clear('tagItemLists');
    clear('tagNames');
  });
  drop('itemsByCreator', () => clear('itemsByCreator'));
  drop('item records', () => clear('records'));
  drop('item ids', () => clear('items'));
  drop('user ids', () => clear('users'));
  drop('creator ids', () => clear('creators'));
  drop('per-item columns', () => {
    for (const key of [
      'creatorOf',
      'servable',
      'createdAt',
      'popularity',
      'impressions',
      'burstWindow',
      'burstNew',
      'burstEstablished',
    ])
      clear(key);
  });
  return rows;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
