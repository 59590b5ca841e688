// What training costs the server thread: event-loop delay, stalls over 50 ms and peak RSS while an
// engine trains on the synthetic platform, against an idle window of the same length class measured first in the
// same run (other jobs on the machine stall an idle loop too); with --restart, how long a reopened
// engine takes to serve its large model from a rebuilt ANN index again.
// It runs with the server's V8 flags (bench/server-flags.ts; --memory-reducer keeps V8's defaults).
// With --rss-trace it also prints the RSS once a second while training (for a breakdown by phase).
// With --smaps it prints the resident memory after training by kind of mapping (Linux).
// Run: node --import tsx bench/train-loop.ts [--items 100000 --users 100000 --events 2000000 --restart]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { LARGE_CATALOGUE_ITEMS } from '../src/engine/serving-model.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { storedEvents } from '../src/store/store.js';
import { formatStalls, type LoopWatch, watchLoop } from './loop-watch.js';
import { relaunchWithServerFlags } from './server-flags.js';
import { generatePlatform, parseFlags, platformEvents, platformItems } from './synthetic.js';
import { warmWorkerModules } from './warm-modules.js';

const flags = parseFlags(process.argv.slice(2));
await relaunchWithServerFlags(flags.has('memory-reducer'));
// Before the state exists: a worker compiling its code later would fork this process (bench/warm-modules.ts).
warmWorkerModules();
const num = (name: string, fallback: number): number => Number(flags.get(name) ?? fallback);
const size = { items: num('items', 100_000), users: num('users', 100_000), events: num('events', 2_000_000) };
const IDLE_MS = num('idle-seconds', 10) * 1_000;
/** Stalls while training listed one by one (the rest are only counted). */
const STALLS_LISTED = 20;
/** The hand-off's window opens this long before the index build's worker stopped (its save and exit). */
const HAND_OFF_LEAD_S = 5;
const dir = mkdtempSync(join(os.tmpdir(), 'setlist-train-loop-'));
try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const path = join(dir, 'bench.db');
  const engine = await loadPlatform(path);
  const idle = watchLoop();
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const idleLoop = idle.stop();
  const idleLoad = os.loadavg()[0]!;
  const stateRss = process.memoryUsage.rss();
  const trace: string[] = [];
  const started = performance.now();
  const traceTimer = flags.has('rss-trace')
    ? setInterval(() => {
        const at = ((performance.now() - started) / 1000).toFixed(0);
        trace.push(`${at}:${Math.round(process.memoryUsage.rss() / 2 ** 20)}`);
      }, 1_000)
    : undefined;
  // Every stall is kept, so those of the hand-off are listed however many other jobs add elsewhere.
  const watch = watchLoop({ keep: Number.MAX_SAFE_INTEGER });
  const cpuBefore = process.cpuUsage();
  const trained = await engine.train();
  const trainS = (performance.now() - started) / 1000;
  // Every thread of the process: on a machine shared with other jobs, wall time grows with the load.
  const cpu = process.cpuUsage(cpuBefore);
  const trainCpuS = (cpu.user + cpu.system) / 1e6;
  // One more timer, so a stall in the last step (installing the model) is counted.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const trainLoop = watch.stop();
  clearInterval(traceTimer);
  const perS = (stalls: number, ms: number): string => (stalls / (ms / 1000)).toFixed(2);
  const reducer = process.execArgv.includes('--no-memory-reducer') ? 'off' : 'on (V8 default)';
  console.log(
    `${size.items} items, ${size.users} users, ${size.events} events (${trained?.report.pairs ?? 0} pairs trained on); ` +
      `training ${trainS.toFixed(1)} s; V8 memory reducer ${reducer}`,
  );
  console.table({
    idle: { ...rounded(idleLoop), 'stalls/s': perS(idleLoop.stalls, IDLE_MS), load: idleLoad.toFixed(1) },
    training: {
      ...rounded(trainLoop),
      'stalls/s': perS(trainLoop.stalls, trainS * 1000),
      load: os.loadavg()[0]!.toFixed(1),
    },
  });
  console.log(`longest stalls: idle ${formatStalls(idleLoop)}`);
  console.log(
    `longest stalls while training (up to ${STALLS_LISTED}): ${formatStalls({ longest: trainLoop.longest.slice(0, STALLS_LISTED) })}`,
  );
  // The report's trainMs is taken as the last worker has stopped, before the snapshot write and the index read.
  const stoppedS = (trained?.report.trainMs ?? 0) / 1000;
  const handOff = trainLoop.longest.filter((stall) => stall.atS >= stoppedS - HAND_OFF_LEAD_S);
  const blocked = handOff.map((stall) => Math.max(0, stall.ms - (stall.cpuMs ?? 0) - (stall.waitMs ?? 0)));
  console.log(
    `hand-off (from ${HAND_OFF_LEAD_S} s before the workers stopped at ${stoppedS.toFixed(1)} s): ${handOff.length} stalls > 50 ms, ` +
      `the longest ${Math.round(handOff[0]?.ms ?? 0)} ms; summed CPU / waiting / blocked ` +
      `${Math.round(handOff.reduce((sum, stall) => sum + (stall.cpuMs ?? 0), 0))} / ` +
      `${Math.round(handOff.reduce((sum, stall) => sum + (stall.waitMs ?? 0), 0))} / ` +
      `${Math.round(blocked.reduce((sum, ms) => sum + ms, 0))} ms (the longest blocked ${Math.round(Math.max(0, ...blocked))})` +
      (handOff.length === 0 ? '' : `: ${formatStalls({ longest: handOff })}`),
  );
  // All the server thread did from the workers' stop on, stalls or not: the hand-off's own CPU and garbage.
  const window = trainLoop.since(stoppedS);
  console.log(
    `from the workers' stop on: server thread CPU ${Math.round(window.cpuMs ?? 0)} ms, waiting ${Math.round(window.waitMs ?? 0)} ms; ` +
      `GC ${window.gcMs.toFixed(1)} ms in ${window.gcs} pauses (${window.gcKinds.join(', ') || 'none'})`,
  );
  const gcMax = trainLoop.gcMax;
  if (gcMax !== undefined) {
    console.log(
      `longest GC pause while training: ${Math.round(trainLoop.gcMaxMs)} ms at ${gcMax.atS.toFixed(1)} s (${gcMax.kind})`,
    );
  }
  console.log(`training ${trainCpuS.toFixed(1)} s of CPU over all threads`);
  const gib = (bytes: number): string => (bytes / 2 ** 30).toFixed(2);
  // The transient is what training adds above the online state it trains from.
  console.log(
    `RSS before training ${gib(stateRss)} GiB; peak while training ${gib(trainLoop.peakRss)} GiB at ` +
      `${trainLoop.peakRssAtS.toFixed(1)} s, ${gib(trainLoop.peakRss - stateRss)} GiB above the state; ` +
      `after training ${gib(process.memoryUsage.rss())} GiB`,
  );
  const usage = process.memoryUsage();
  const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
  // How much of it is the server heap's (dead buffers stay counted until a major collection).
  console.log(
    `after training: heap ${mib(usage.heapUsed)} of ${mib(usage.heapTotal)} MiB, array buffers ` +
      `${mib(usage.arrayBuffers)} MiB, external ${mib(usage.external)} MiB`,
  );
  if (flags.has('smaps')) console.log(`RSS by mapping after training: ${rssByMapping()}`);
  if (trained?.report.annBuildMs !== undefined) {
    console.log(
      `ANN index built in ${(trained.report.annBuildMs / 1000).toFixed(1)} s (the end of training)`,
    );
  }
  if (trace.length > 0) console.log(`RSS MiB by second of training: ${trace.join(' ')}`);
  const seconds = (ms: readonly number[]): string => ms.map((m) => (m / 1000).toFixed(1)).join(', ');
  const epochMs = trained?.report.epochMs ?? [];
  // The blend of a small catalogue reports no epochs of its own: say so rather than print empty lists.
  console.log(
    epochMs.length === 0
      ? `iALS epochs: none reported (the full blend trains catalogues up to ${LARGE_CATALOGUE_ITEMS} items)`
      : `iALS epochs ${seconds(epochMs)} s, CPU ${seconds(trained?.report.epochCpuMs ?? [])} s`,
  );
  await engine.close();
  if (!flags.has('restart')) return;

  const reopened = createEngine({ store: createSqliteStore({ path }) });
  let t = performance.now();
  await reopened.open();
  console.log(`reopened in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  t = performance.now();
  // 'none' until a large model's index is built: feeds rank without the model meanwhile.
  while ((await retrieval(reopened)) === 'none') await new Promise((resolve) => setTimeout(resolve, 200));
  console.log(
    `serving from the ${await retrieval(reopened)} ${((performance.now() - t) / 1000).toFixed(1)} s after open`,
  );
  await reopened.close();
}

/**
 * The process's resident memory (Linux smaps) by kind of mapping: glibc's main heap, anonymous
 * mappings by size (V8's pages are 256 KiB, glibc's thread arenas up to 64 MiB, one large allocation
 * a mapping of its own) and files.
 */
function rssByMapping(): string {
  const kib = new Map<string, number>();
  let kind = '';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (range !== null) {
      const mib = (Number.parseInt(range[2]!, 16) - Number.parseInt(range[1]!, 16)) / 2 ** 20;
      const name = range[3]!;
      kind =
        name === '[heap]'
          ? 'brk heap'
          : name !== ''
            ? 'files and named'
            : mib < 1
              ? 'anon < 1 MiB'
              : mib <= 64
                ? 'anon 1-64 MiB'
                : 'anon > 64 MiB';
    } else if (line.startsWith('Rss:')) {
      kib.set(kind, (kib.get(kind) ?? 0) + Number(line.split(/\s+/)[1]));
    }
  }
  return [...kib].map(([k, v]) => `${k} ${Math.round(v / 1024)} MiB`).join(', ');
}

function rounded(loop: LoopWatch) {
  return {
    'max ms': Math.round(loop.maxMs),
    'p99 ms': Math.round(loop.p99Ms),
    'stalls > 50 ms': loop.stalls,
    'peak RSS GiB': (loop.peakRss / 2 ** 30).toFixed(2),
    'GC ms (max)': `${Math.round(loop.gcMs)} (${Math.round(loop.gcMaxMs)})`,
    // The server thread's own time on a core and waiting for one (Linux), over the whole window.
    'CPU / waiting ms':
      loop.cpuMs === undefined ? 'n/a' : `${Math.round(loop.cpuMs)} / ${Math.round(loop.waitMs ?? 0)}`,
  };
}

async function retrieval(engine: Engine): Promise<string | undefined> {
  return (await engine.status()).models.find((m) => m.name === 'blend')?.retrieval;
}

/** The seeded platform written into a SQLite store and applied to an open engine, as in bench/run.ts. */
async function loadPlatform(path: string): Promise<Engine> {
  const platform = generatePlatform(size);
  const store = createSqliteStore({ path });
  await store.migrate();
  const t0 = Date.now() - size.events - 86_400_000;
  for (let start = 0; start < size.items; start += 10_000) {
    await store.writeItems(platformItems(platform, start, start + 10_000, t0));
  }
  const engine = createEngine({ store });
  await engine.open();
  for (let start = 0; start < size.events; start += 10_000) {
    const batch = platformEvents(platform, start, start + 10_000, t0);
    engine.applyRemoteEvents(storedEvents(batch, await store.appendEvents(batch, t0 + start), t0 + start));
  }
  await engine.settled();
  return engine;
}
