// How soon a restarted server serves, and how long the replay of its event log takes: writes the
// seeded platform of bench/synthetic.ts into a SQLite store (or reuses one), then opens an engine over
// it as `setlist serve` does and prints when it took requests (`whenServing`), when it was ready, and
// meanwhile one feed of a random user every 100 ms (latency) and the event loop's delay.
// Run: node --max-old-space-size=16000 --import tsx bench/startup.ts [--items 1000000 --users 1000000
//   --events 20000000] [--db <file> (reused if it exists, kept after)] [--no-feeds] [--json]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createEngine } from '../src/engine/engine.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { generatePlatform, parseFlags, platformEvents, platformItems } from './synthetic.js';

const flags = parseFlags(process.argv.slice(2));
const num = (name: string, fallback: number): number => Number(flags.get(name) ?? fallback);
const size = {
  items: num('items', 1_000_000),
  users: num('users', 1_000_000),
  events: num('events', 20_000_000),
};
const FEED_EVERY_MS = 100;

const dir = flags.has('db') ? undefined : mkdtempSync(join(os.tmpdir(), 'setlist-startup-'));
const path = flags.get('db') ?? join(dir!, 'startup.db');
try {
  if (!existsSync(path)) await writeStore(path);
  const result = await measureOpen(path);
  if (flags.has('json')) console.log(JSON.stringify(result, null, 2));
  else console.table(result);
} finally {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

async function writeStore(file: string): Promise<void> {
  const t = performance.now();
  const platform = generatePlatform(size);
  const store = createSqliteStore({ path: file });
  await store.migrate();
  const t0 = Date.now() - size.events - 86_400_000;
  for (let start = 0; start < size.items; start += 10_000) {
    await store.writeItems(platformItems(platform, start, start + 10_000, t0));
  }
  for (let start = 0; start < size.events; start += 10_000) {
    await store.appendEvents(platformEvents(platform, start, start + 10_000, t0), t0 + start);
  }
  await store.close();
  console.error(
    `store of ${size.items} items, ${size.users} users and ${size.events} events written in ` +
      `${((performance.now() - t) / 1000).toFixed(1)} s: ${file}`,
  );
}

async function measureOpen(file: string) {
  const engine = createEngine({ store: createSqliteStore({ path: file }) });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const opening = engine.open();
  let ready = false;
  void opening.then(() => {
    ready = true;
  });
  await engine.whenServing();
  const servingS = (performance.now() - t0) / 1000;
  loop.enable();
  const feedMs: number[] = [];
  for (let u = 0; !ready && !flags.has('no-feeds'); u++) {
    const t = performance.now();
    await engine.feed(`user-${(u * 7_919) % size.users}`, 20);
    feedMs.push(performance.now() - t);
    await new Promise((resolve) => setTimeout(resolve, FEED_EVERY_MS));
  }
  await opening;
  loop.disable();
  const readyS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const events = engine.readiness().eventsApplied;
  await engine.close();
  feedMs.sort((a, b) => a - b);
  const at = (q: number): number => feedMs[Math.min(feedMs.length - 1, Math.floor(q * feedMs.length))] ?? 0;
  return {
    'events replayed': events,
    'serving after (s)': round(servingS),
    'ready after (s)': round(readyS),
    'process CPU (s)': round((cpu.user + cpu.system) / 1e6),
    'feeds during the replay': feedMs.length,
    'feed p50 / p99 / max (ms)': `${round(at(0.5))} / ${round(at(0.99))} / ${round(feedMs.at(-1) ?? 0)}`,
    'loop delay p99 / max (ms)': `${round(loop.percentile(99) / 1e6)} / ${round(loop.max / 1e6)}`,
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
