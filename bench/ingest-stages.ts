// Where ingest's time goes, for bench/ingest.ts and bench/run.ts (Linux: /proc schedstat; elsewhere
// only the commit wait): the server thread's CPU per event, split into the synchronous part of
// `engine.ingest` before the append (validation, building and packing the events, handing them to the
// event-log writer), applying the committed events to the online state, and the rest (HTTP, JSON
// parsing, the writer's replies, garbage collection between requests); its time runnable but waiting
// for a core; the event-log writer thread's CPU and waiting, the other threads' CPU (garbage-collection
// helpers); and how long a batch waited for its commit.
import { readdirSync, readFileSync } from 'node:fs';
import type { Engine } from '../src/engine/engine.js';
import type { Store } from '../src/store/store.js';

export interface IngestStages {
  events: number;
  /** Per event, µs of the server thread on a core: everything, and the parts below. */
  serverCpuUs: number;
  validateAndHandOffUs: number;
  applyUs: number;
  /** HTTP, JSON parsing, the writer's replies, collections between requests. */
  otherUs: number;
  /** Per event, µs the server thread was runnable but waiting for a core (other threads and processes). */
  serverWaitUs: number;
  /**
   * Per event, µs on a core and waiting for one of the process's busiest other thread during the load
   * (the event-log writer), and of all its other threads together (garbage-collection helpers).
   */
  writerCpuUs: number;
  writerWaitUs: number;
  helperCpuUs: number;
  /** Mean ms from handing a batch to the writer to its commit being answered. */
  commitWaitMs: number;
}

interface Sched {
  cpuMs: number;
  waitMs: number;
}

function schedstat(path: string): Sched | undefined {
  try {
    const [cpu, wait] = readFileSync(path, 'utf8').split(' ');
    return { cpuMs: Number(cpu) / 1e6, waitMs: Number(wait) / 1e6 };
  } catch {
    return undefined;
  }
}

const thread = (): Sched | undefined => schedstat('/proc/thread-self/schedstat');

function otherThreads(): Map<string, Sched> {
  const out = new Map<string, Sched>();
  let tids: string[] = [];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tids) {
    if (tid === String(process.pid)) continue;
    const s = schedstat(`/proc/self/task/${tid}/schedstat`);
    if (s !== undefined) out.set(tid, s);
  }
  return out;
}

/**
 * Wraps `engine.ingest` and `store.appendEvents` (the engine's own store) to time each stage until
 * `stop()`, which restores them. The process's busiest thread besides this one during the load is
 * taken for the event-log writer.
 *
 * @example
 * const stages = watchIngestStages(engine, store);
 * // ... load ...
 * console.log(stages.stop());
 */
export function watchIngestStages(engine: Engine, store: Store): { stop(): IngestStages } {
  const ingest = engine.ingest;
  const appendEvents = store.appendEvents;
  const threadsBefore = otherThreads();
  const serverBefore = thread();
  let events = 0;
  let batches = 0;
  let handOffMs = 0;
  let applyMs = 0;
  let commitWaitMs = 0;
  /** The server thread's CPU when `engine.ingest` was entered, for the append it is about to make. */
  let enteredAt = 0;
  /** The server thread's CPU when the last commit was answered (its events are applied next). */
  let lastCommitted: number | undefined;

  engine.ingest = async (body) => {
    enteredAt = thread()?.cpuMs ?? 0;
    const result = await ingest.call(engine, body);
    const end = thread()?.cpuMs ?? 0;
    if (lastCommitted !== undefined) applyMs += end - lastCommitted;
    lastCommitted = undefined;
    return result;
  };
  store.appendEvents = (list, receivedAt) => {
    const started = performance.now();
    const pending = appendEvents.call(store, list, receivedAt);
    handOffMs += (thread()?.cpuMs ?? 0) - enteredAt;
    return pending.then((result) => {
      commitWaitMs += performance.now() - started;
      events += list.length;
      batches++;
      lastCommitted = thread()?.cpuMs ?? 0;
      return result;
    });
  };

  return {
    stop() {
      engine.ingest = ingest;
      store.appendEvents = appendEvents;
      const serverAfter = thread();
      let writerCpuMs = 0;
      let writerWaitMs = 0;
      let othersCpuMs = 0;
      for (const [tid, s] of otherThreads()) {
        const before = threadsBefore.get(tid) ?? { cpuMs: 0, waitMs: 0 };
        const cpuMs = s.cpuMs - before.cpuMs;
        othersCpuMs += cpuMs;
        if (cpuMs > writerCpuMs) {
          writerCpuMs = cpuMs;
          writerWaitMs = s.waitMs - before.waitMs;
        }
      }
      const perEvent = (ms: number): number => (events === 0 ? 0 : (ms * 1000) / events);
      const serverCpuMs =
        serverBefore === undefined || serverAfter === undefined ? 0 : serverAfter.cpuMs - serverBefore.cpuMs;
      const serverWaitMs =
        serverBefore === undefined || serverAfter === undefined
          ? 0
          : serverAfter.waitMs - serverBefore.waitMs;
      return {
        events,
        serverCpuUs: perEvent(serverCpuMs),
        validateAndHandOffUs: perEvent(handOffMs),
        applyUs: perEvent(applyMs),
        otherUs: perEvent(serverCpuMs - handOffMs - applyMs),
        serverWaitUs: perEvent(serverWaitMs),
        writerCpuUs: perEvent(writerCpuMs),
        writerWaitUs: perEvent(writerWaitMs),
        helperCpuUs: perEvent(othersCpuMs - writerCpuMs),
        commitWaitMs: batches === 0 ? 0 : commitWaitMs / batches,
      };
    },
  };
}

/**
 * One line for the log: µs per event by stage.
 *
 * @example
 * console.log(formatIngestStages(watch.stop()));
 */
export function formatIngestStages(s: IngestStages): string {
  const f = (v: number): string => v.toFixed(1);
  return (
    `server thread ${f(s.serverCpuUs)} µs/event on a core (validate and hand off ${f(s.validateAndHandOffUs)}, ` +
    `apply ${f(s.applyUs)}, HTTP, parsing and the rest ${f(s.otherUs)}), ${f(s.serverWaitUs)} waiting for a core; ` +
    `event-log writer ${f(s.writerCpuUs)} µs/event on a core, ${f(s.writerWaitUs)} waiting; ` +
    `other threads ${f(s.helperCpuUs)} µs/event; ` +
    `a batch waited ${s.commitWaitMs.toFixed(1)} ms for its commit`
  );
}
