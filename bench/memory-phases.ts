// Where a benchmark's memory goes: the process's RSS, V8 heap and array buffers at each phase boundary,
// the largest RSS since the previous boundary (sampled every 100 ms) and when in that phase it was seen.
// Used by bench/run.ts; printed as a table, and kept in its JSON as `memory.phases`.
import v8 from 'node:v8';

const SAMPLE_MS = 100;
const MiB = 2 ** 20;

export interface MemoryPhase {
  /** The phase that ended at this boundary. */
  phase: string;
  /** Seconds the phase took. */
  seconds: number;
  /** At the boundary. */
  rssMiB: number;
  heapUsedMiB: number;
  /** The V8 heap's reserved size: what it holds beyond `heapUsed` is headroom, not data. */
  heapTotalMiB: number;
  /** Memory of ArrayBuffers and SharedArrayBuffers (typed arrays), all threads of the process. */
  arrayBuffersMiB: number;
  /** The largest RSS sampled during the phase, and how many seconds into it. */
  peakRssMiB: number;
  peakAtS: number;
}

/**
 * Starts sampling; each `end(name)` closes the phase that began at the previous boundary.
 *
 * @example
 * const phases = memoryPhases();
 * await engine.train();
 * phases.end('training');
 * console.table(phases.stop());
 */
export function memoryPhases(): { end(phase: string): MemoryPhase; stop(): MemoryPhase[] } {
  const phases: MemoryPhase[] = [];
  let start = performance.now();
  let peak = 0;
  let peakAt = start;
  const sample = (): void => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) {
      peak = rss;
      peakAt = performance.now();
    }
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  timer.unref();
  return {
    end(phase) {
      sample();
      const m = process.memoryUsage();
      const now = performance.now();
      const row: MemoryPhase = {
        phase,
        seconds: round1((now - start) / 1000),
        rssMiB: Math.round(m.rss / MiB),
        heapUsedMiB: Math.round(m.heapUsed / MiB),
        heapTotalMiB: Math.round(v8.getHeapStatistics().total_heap_size / MiB),
        arrayBuffersMiB: Math.round(m.arrayBuffers / MiB),
        peakRssMiB: Math.round(peak / MiB),
        peakAtS: round1((peakAt - start) / 1000),
      };
      phases.push(row);
      start = now;
      peak = 0;
      sample();
      return row;
    },
    stop() {
      clearInterval(timer);
      return phases;
    },
  };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
