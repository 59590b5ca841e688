// Watching the server thread's event loop while something runs beside it: the delay histogram
// (`monitorEventLoopDelay`), every gap between 5 ms ticks longer than 50 ms, and the peak RSS seen at
// a tick. Shared by bench/run.ts and bench/train-loop.ts.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** A gap between ticks longer than this counts as a stall. */
export const STALL_MS = 50;
const TICK_MS = 5;
/** How many of the longest stalls a watch keeps. */
const LONGEST_KEPT = 3;

export interface LoopWatch {
  maxMs: number;
  p99Ms: number;
  stalls: number;
  /** The process's largest resident set seen at a tick (worker threads included). */
  peakRss: number;
  /** The longest gaps between ticks (at most three), with when each began in seconds from the start. */
  longest: { ms: number; atS: number }[];
}

/**
 * Starts watching the loop; `stop()` ends the watch and returns what it saw.
 *
 * @example
 * const watch = watchLoop();
 * await engine.train();
 * console.log(formatStalls(watch.stop()));
 */
export function watchLoop(): { stop(): LoopWatch } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const start = performance.now();
  let last = start;
  let stalls = 0;
  let peakRss = process.memoryUsage.rss();
  const longest: { ms: number; atS: number }[] = [];
  const tick = setInterval(() => {
    const now = performance.now();
    if (now - last > STALL_MS + TICK_MS) {
      stalls++;
      longest.push({ ms: now - last, atS: (last - start) / 1000 });
      longest.sort((a, b) => b.ms - a.ms);
      longest.length = Math.min(longest.length, LONGEST_KEPT);
    }
    last = now;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, TICK_MS);
  return {
    stop() {
      clearInterval(tick);
      histogram.disable();
      return { maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6, stalls, peakRss, longest };
    },
  };
}

/** "530 ms at 12.1 s, 80 ms at 40.0 s", or "none". */
export function formatStalls(loop: LoopWatch): string {
  return loop.longest.map((g) => `${Math.round(g.ms)} ms at ${g.atS.toFixed(1)} s`).join(', ') || 'none';
}
