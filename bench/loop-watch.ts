// Watching the server thread's event loop while something runs beside it: the delay histogram
// (`monitorEventLoopDelay`), every gap between 5 ms ticks longer than 50 ms, and the peak RSS seen at
// a tick. Each of the longest gaps is split into what the server thread did meanwhile (on Linux, from
// /proc/thread-self/schedstat): time on a core (its own work, garbage collection included), time
// runnable but waiting for a core (other threads or processes had them), and the rest (blocked: page
// faults, locks); and the server heap's garbage-collection pauses that fell in it. Shared by
// bench/run.ts and bench/train-loop.ts.
import { readFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/** A gap between ticks longer than this counts as a stall. */
export const STALL_MS = 50;
const TICK_MS = 5;
/** How many of the longest stalls a watch keeps, unless told otherwise. */
const LONGEST_KEPT = 3;

/** One long gap between ticks, and where its time went. */
export interface Stall {
  ms: number;
  /** When it began, in seconds from the start of the watch. */
  atS: number;
  /** The server thread's time on a core during the gap (undefined where the kernel does not say). */
  cpuMs?: number;
  /** Time the server thread was runnable but waiting for a core. */
  waitMs?: number;
  /** The server thread's page faults during the gap: minor, and major (read from disk, e.g. code paged out). */
  minorFaults?: number;
  majorFaults?: number;
  /** Garbage-collection pauses of the server's heap that overlapped the gap. */
  gcMs: number;
  /** Their kinds, e.g. `major`, `major (external memory)`; empty without a pause. */
  gcKinds: string[];
}

export interface LoopWatch {
  maxMs: number;
  p99Ms: number;
  stalls: number;
  /** The process's largest resident set seen at a tick (worker threads included). */
  peakRss: number;
  /** When it was seen, in seconds from the start of the watch. */
  peakRssAtS: number;
  /** The longest gaps between ticks (at most three, or `keep`), longest first. */
  longest: Stall[];
  /** The server heap's garbage-collection pauses during the watch: their sum and the longest. */
  gcMs: number;
  gcMaxMs: number;
  /** The longest pause's kind and when it began (s from the start of the watch); undefined without one. */
  gcMax?: { kind: string; atS: number };
  /**
   * The server thread's time on a core and runnable but waiting for one over the whole watch (Linux;
   * undefined elsewhere): the waiting share is what other threads and processes took from it.
   */
  cpuMs?: number;
  waitMs?: number;
  /**
   * The server thread's time on a core and waiting for one, and its GC pauses, from `fromS` seconds
   * into the watch to its end (Linux; the CPU undefined elsewhere): e.g. a training's hand-off.
   */
  since(fromS: number): { cpuMs?: number; waitMs?: number; gcMs: number; gcs: number; gcKinds: string[] };
}

interface GcPause {
  start: number;
  end: number;
  kind: string;
}

/**
 * Starts watching the loop; `stop()` ends the watch and returns what it saw.
 *
 * @example
 * const watch = watchLoop();
 * await engine.train();
 * console.log(formatStalls(watch.stop()));
 */
export function watchLoop(options: { readonly keep?: number } = {}): { stop(): LoopWatch } {
  const keep = options.keep ?? LONGEST_KEPT;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const gcs: GcPause[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcs.push(gcPause(entry));
  });
  observer.observe({ entryTypes: ['gc'] });
  const start = performance.now();
  let last = start;
  let lastSched = schedstat();
  let lastFaults = faults();
  const firstSched = lastSched;
  let stalls = 0;
  let peakRss = process.memoryUsage.rss();
  let peakRssAt = start;
  const longest: (Stall & { from: number; to: number })[] = [];
  // The thread's CPU and waiting time every 100 ms of the watch, for `since`.
  const timeline: { at: number; cpuMs: number; waitMs: number }[] = [];
  const tick = setInterval(() => {
    const now = performance.now();
    const sched = schedstat();
    if (sched !== undefined && (timeline.length === 0 || now - timeline[timeline.length - 1]!.at >= 100)) {
      timeline.push({ at: now, ...sched });
    }
    const faulted = faults();
    if (now - last > STALL_MS + TICK_MS) {
      stalls++;
      const split =
        sched !== undefined && lastSched !== undefined
          ? { cpuMs: sched.cpuMs - lastSched.cpuMs, waitMs: sched.waitMs - lastSched.waitMs }
          : {};
      const faultSplit =
        faulted !== undefined && lastFaults !== undefined
          ? { minorFaults: faulted.minor - lastFaults.minor, majorFaults: faulted.major - lastFaults.major }
          : {};
      longest.push({
        ms: now - last,
        atS: (last - start) / 1000,
        ...split,
        ...faultSplit,
        gcMs: 0,
        gcKinds: [],
        from: last,
        to: now,
      });
      longest.sort((a, b) => b.ms - a.ms);
      longest.length = Math.min(longest.length, keep);
    }
    last = now;
    lastSched = sched;
    lastFaults = faulted;
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) {
      peakRss = rss;
      peakRssAt = now;
    }
  }, TICK_MS);
  return {
    stop() {
      clearInterval(tick);
      histogram.disable();
      for (const entry of observer.takeRecords()) gcs.push(gcPause(entry));
      observer.disconnect();
      const sched = schedstat();
      const longestGc = gcs.reduce<GcPause | undefined>(
        (max, gc) => (max === undefined || gc.end - gc.start > max.end - max.start ? gc : max),
        undefined,
      );
      const totals =
        sched !== undefined && firstSched !== undefined
          ? { cpuMs: sched.cpuMs - firstSched.cpuMs, waitMs: sched.waitMs - firstSched.waitMs }
          : {};
      return {
        maxMs: histogram.max / 1e6,
        p99Ms: histogram.percentile(99) / 1e6,
        stalls,
        peakRss,
        peakRssAtS: (peakRssAt - start) / 1000,
        longest: longest.map(({ from, to, ...stall }) => ({
          ...stall,
          gcMs: overlapMs(gcs, from, to),
          gcKinds: [...new Set(gcs.filter((gc) => gc.end > from && gc.start < to).map((gc) => gc.kind))],
        })),
        gcMs: gcs.reduce((sum, gc) => sum + (gc.end - gc.start), 0),
        gcMaxMs: longestGc === undefined ? 0 : longestGc.end - longestGc.start,
        ...(longestGc === undefined
          ? {}
          : { gcMax: { kind: longestGc.kind, atS: (longestGc.start - start) / 1000 } }),
        ...totals,
        since(fromS) {
          const from = start + fromS * 1000;
          const at = timeline.find((point) => point.at >= from);
          const inWindow = gcs.filter((gc) => gc.end > from);
          return {
            ...(at === undefined || sched === undefined
              ? {}
              : { cpuMs: sched.cpuMs - at.cpuMs, waitMs: sched.waitMs - at.waitMs }),
            gcMs: inWindow.reduce((sum, gc) => sum + (gc.end - Math.max(gc.start, from)), 0),
            gcs: inWindow.length,
            gcKinds: [...new Set(inWindow.map((gc) => gc.kind))],
          };
        },
      };
    },
  };
}

/** "530 ms at 12.1 s (CPU 20, waiting 480, GC 12 ms), 80 ms at 40.0 s (…)", or "none". */
export function formatStalls(loop: Pick<LoopWatch, 'longest'>): string {
  return (
    loop.longest
      .map((g) => {
        const split =
          g.cpuMs === undefined || g.waitMs === undefined
            ? `GC ${Math.round(g.gcMs)} ms`
            : `CPU ${Math.round(g.cpuMs)}, waiting ${Math.round(g.waitMs)}, GC ${Math.round(g.gcMs)} ms`;
        const kinds = g.gcKinds.length === 0 ? '' : `: ${g.gcKinds.join(', ')}`;
        // Only where there were any: a major fault blocks the thread on a disk read.
        const faulted =
          (g.minorFaults ?? 0) + (g.majorFaults ?? 0) === 0
            ? ''
            : `; faults ${g.minorFaults ?? 0} minor, ${g.majorFaults ?? 0} major`;
        return `${Math.round(g.ms)} ms at ${g.atS.toFixed(1)} s (${split}${kinds}${faulted})`;
      })
      .join(', ') || 'none'
  );
}

/** How much of [from, to] the intervals cover (they do not overlap one another: one heap, one thread). */
export function overlapMs(
  intervals: readonly { start: number; end: number }[],
  from: number,
  to: number,
): number {
  let sum = 0;
  for (const { start, end } of intervals) sum += Math.max(0, Math.min(end, to) - Math.max(start, from));
  return sum;
}

/** A `gc` performance entry as a pause of a kind: `major`, `minor`, `incremental`, with why if V8 says. */
function gcPause(entry: PerformanceEntry): GcPause {
  const detail = (entry as PerformanceEntry & { detail?: { kind?: number; flags?: number } }).detail;
  return {
    start: entry.startTime,
    end: entry.startTime + entry.duration,
    kind: gcKind(detail?.kind, detail?.flags ?? 0),
  };
}

/**
 * A collection's kind and, from its callback flags, why V8 ran it. V8 11 marks both an external-memory
 * collection (with synchronous phantom callbacks) and its memory reducer's collection of an idle heap
 * (without) as collecting all external memory: the reducer's is not external memory at all.
 */
export function gcKind(kind: number | undefined, flags: number): string {
  const name =
    kind === constants.NODE_PERFORMANCE_GC_MAJOR
      ? 'major'
      : kind === constants.NODE_PERFORMANCE_GC_MINOR
        ? 'minor'
        : kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL
          ? 'incremental'
          : 'weak callbacks';
  const has = (flag: number): boolean => (flags & flag) !== 0;
  const why = has(constants.NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY)
    ? has(constants.NODE_PERFORMANCE_GC_FLAGS_SYNCHRONOUS_PHANTOM_PROCESSING)
      ? ' (external memory)'
      : ' (memory reducer)'
    : has(constants.NODE_PERFORMANCE_GC_FLAGS_ALL_AVAILABLE_GARBAGE)
      ? ' (all available garbage)'
      : has(constants.NODE_PERFORMANCE_GC_FLAGS_FORCED)
        ? ' (forced)'
        : '';
  return `${name}${why}`;
}

/** This thread's minor and major page faults so far (Linux); undefined elsewhere. */
function faults(): { minor: number; major: number } | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // After the command name, which may hold spaces, in parentheses: fields 3 on; minflt is 10, majflt 12.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { minor: Number(fields[7]), major: Number(fields[9]) };
  } catch {
    return undefined;
  }
}

/** This thread's time on a core and waiting for one, in ms (Linux); undefined elsewhere. */
function schedstat(): { cpuMs: number; waitMs: number } | undefined {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return { cpuMs: Number(cpu) / 1e6, waitMs: Number(wait) / 1e6 };
  } catch {
    return undefined;
  }
}
