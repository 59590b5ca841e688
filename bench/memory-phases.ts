// Where a benchmark's memory goes: the process's RSS, V8 heap and array buffers at each phase boundary,
// the largest RSS since the previous boundary (sampled every 100 ms) and when in that phase it was seen.
// Used by bench/run.ts; printed as a table, and kept in its JSON as `memory.phases`. On Linux each phase
// also counts minor page faults of the server thread and of the whole process, and the transparent huge
// pages the process holds at its end (a full run's ingest once took 1.87 faults per event with RSS flat).
import { readFileSync } from 'node:fs';
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
  /** Minor page faults during the phase: the server (main) thread's, and every thread's of the process. */
  serverMinorFaults: number;
  processMinorFaults: number;
  /** Anonymous memory mapped with transparent huge pages at the boundary (`AnonHugePages`), MiB. */
  anonHugeMiB: number;
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
  let serverFaults = serverMinorFaults();
  let processFaults = process.resourceUsage().minorPageFault;
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
        serverMinorFaults: serverMinorFaults() - serverFaults,
        processMinorFaults: process.resourceUsage().minorPageFault - processFaults,
        anonHugeMiB: anonHugeMiB(),
      };
      phases.push(row);
      serverFaults = serverMinorFaults();
      processFaults = process.resourceUsage().minorPageFault;
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

/** The main thread's minor page faults so far (Linux; 0 elsewhere): the 10th field of its stat. */
export function serverMinorFaults(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[7]);
  } catch {
    return 0;
  }
}

/** The process's `AnonHugePages` (Linux; 0 elsewhere), MiB. */
function anonHugeMiB(): number {
  try {
    const match = /AnonHugePages:\s+(\d+) kB/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'));
    return match === null ? 0 : Math.round(Number(match[1]) / 1024);
  } catch {
    return 0;
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
