// Where ingest's time goes, for bench/ingest.ts and bench/run.ts (Linux: /proc schedstat; elsewhere
// only the commit wait): the server thread's CPU per event, split into the synchronous part of
// `engine.ingest` before the append (validation, building and packing the events, handing them to the
// event-log writer), applying the logged events to the online state, and the rest (HTTP, JSON
// parsing, the writer's replies, garbage collection between requests); its time runnable but waiting
// for a core; the event-log writer thread's CPU and waiting, the other threads' CPU (garbage-collection
// helpers); and how long a batch waited for its commit.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readdirSync, readFileSync } from 'node:fs';
import { constants, type EventLoopUtilization, PerformanceObserver, performance } from 'node:perf_hooks';
import type { Engine } from '../src/engine/engine.js';
import { type EventLogCommit, eventLogCommits } from '../src/store/sqlite/event-append.js';
import type { AppendResult, Store } from '../src/store/store.js';

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
  /** The same wait's distribution over the batches, ms. */
  commitWait: Spread;
  /**
   * Per event, µs the server thread's event loop sat idle (waiting in the poll), and that idle time
   * by what the batches in flight were doing then: `c/s` is c batches handed to the writer and not
   * yet answered, of s inside `engine.ingest` (the rest are with the client or in HTTP parsing).
   */
  serverIdleUs: number;
  idleByState: Record<string, number>;
  /** The event-log writer's transactions (SQLite stores with a writer thread; undefined otherwise). */
  writer: WriterTransactions | undefined;
  /**
   * Per thread of the process (the server thread, the three busiest others as `comm tid`, the rest
   * summed), per event: minor page faults, and µs of user and of system CPU
   * (Linux; empty elsewhere). Only threads with any CPU time during the load are listed.
   */
  threads: ThreadCost[];
  /** Garbage collections on the server thread during the load: scavenges and the others, count and ms. */
  gc: { minor: number; minorMs: number; major: number; majorMs: number };
  /** The process's resident memory when the watch started and when it stopped, MiB. */
  rssMiB: { before: number; after: number };
}

/** A distribution: median, 90th percentile and maximum. */
export interface Spread {
  p50: number;
  p90: number;
  max: number;
}

export interface WriterTransactions {
  count: number;
  /** Appends (request batches) per transaction, mean. */
  appendsPerCommit: number;
  /** ms per transaction: its inserts, and its commit (fsync and any checkpoint). */
  insertMs: Spread;
  commitMs: Spread;
  /** The share of the load's wall time the writer spent in transactions. */
  busyShare: number;
}

/** The median, 90th percentile and maximum of `values` (zeros for none). */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { p50: 0, p90: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1]! };
}

export interface ThreadCost {
  name: string;
  /** How many threads the sums cover. */
  count: number;
  minorFaults: number;
  userUs: number;
  systemUs: number;
}

export interface TaskStat {
  name: string;
  minorFaults: number;
  /** Clock ticks of 1/100 s. */
  userTicks: number;
  systemTicks: number;
}

/** Every thread's name, minor faults and CPU ticks, by thread id, from /proc/self/task. */
function taskStats(): Map<string, TaskStat> {
  const out = new Map<string, TaskStat>();
  for (const tid of threadIds()) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the name: state, ..., minflt (10th field of stat), ..., utime (14th), stime (15th).
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      const name =
        tid === String(process.pid) ? 'server' : readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      out.set(tid, {
        name,
        minorFaults: Number(fields[7]),
        userTicks: Number(fields[11]),
        systemTicks: Number(fields[12]),
      });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/**
 * What each thread did since `before`, per event: the server thread, then the busiest others (the
 * first is the event-log writer) one by one as `comm tid`, then the rest summed as `rest`.
 */
export function threadCosts(
  before: Map<string, TaskStat>,
  after: Map<string, TaskStat>,
  events: number,
): ThreadCost[] {
  const per = events === 0 ? 0 : 1 / events;
  const costs: ThreadCost[] = [];
  for (const [tid, a] of after) {
    const b = before.get(tid);
    const minorFaults = a.minorFaults - (b?.minorFaults ?? 0);
    const userTicks = a.userTicks - (b?.userTicks ?? 0);
    const systemTicks = a.systemTicks - (b?.systemTicks ?? 0);
    if (userTicks + systemTicks === 0 && minorFaults === 0) continue;
    costs.push({
      name: a.name === 'server' ? a.name : `${a.name} ${tid}`,
      count: 1,
      minorFaults: minorFaults * per,
      userUs: userTicks * 10_000 * per,
      systemUs: systemTicks * 10_000 * per,
    });
  }
  const cpu = (c: ThreadCost): number =>
    c.name === 'server' ? Number.POSITIVE_INFINITY : c.userUs + c.systemUs;
  costs.sort((x, y) => cpu(y) - cpu(x));
  const shown = costs.slice(0, 4);
  const rest = costs.slice(4);
  if (rest.length > 0) {
    shown.push({
      name: 'rest',
      count: rest.length,
      minorFaults: rest.reduce((sum, c) => sum + c.minorFaults, 0),
      userUs: rest.reduce((sum, c) => sum + c.userUs, 0),
      systemUs: rest.reduce((sum, c) => sum + c.systemUs, 0),
    });
  }
  return shown;
}

export interface Sched {
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

/** This process's thread ids (Linux; none elsewhere). */
function threadIds(): string[] {
  try {
    return readdirSync('/proc/self/task');
  } catch {
    return [];
  }
}

/** What the process's threads did between {@link watchThreads} and its `stop()`, in ms (Linux; 0 elsewhere). */
export interface ThreadTimes {
  /** The server thread: on a core, and runnable but waiting for one. */
  serverCpuMs: number;
  serverWaitMs: number;
  /** Every other thread of the process, on a core. */
  othersCpuMs: number;
}

/**
 * Starts timing the server thread and the process's other threads (e.g. around a feed load, to tell
 * the server thread's share of a feed from a search thread's).
 *
 * @example
 * const watch = watchThreads();
 * // ... load ...
 * const { serverCpuMs } = watch.stop();
 */
export function watchThreads(): { stop(): ThreadTimes } {
  const server = thread();
  const others = otherThreads();
  return {
    stop() {
      const serverAfter = thread();
      let othersCpuMs = 0;
      for (const [tid, after] of otherThreads()) othersCpuMs += after.cpuMs - (others.get(tid)?.cpuMs ?? 0);
      return {
        serverCpuMs: (serverAfter?.cpuMs ?? 0) - (server?.cpuMs ?? 0),
        serverWaitMs: (serverAfter?.waitMs ?? 0) - (server?.waitMs ?? 0),
        othersCpuMs,
      };
    },
  };
}

/** Per thread of this process but the main one: ms on a core and ms runnable but waiting (Linux). */
export function otherThreads(): Map<string, Sched> {
  const out = new Map<string, Sched>();
  for (const tid of threadIds()) {
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
  const tasksBefore = taskStats();
  const rssBefore = process.memoryUsage.rss() / 2 ** 20;
  const gc = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
  const gcWatch = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.minor++;
        gc.minorMs += entry.duration;
      } else {
        gc.major++;
        gc.majorMs += entry.duration;
      }
    }
  });
  gcWatch.observe({ entryTypes: ['gc'] });
  const serverBefore = thread();
  const wallStarted = performance.now();
  const commits: EventLogCommit[] = [];
  const onCommit = (message: unknown): void => {
    commits.push(message as EventLogCommit);
  };
  subscribe(eventLogCommits.name, onCommit);
  const commitWaits: number[] = [];
  const idleByState: Record<string, number> = {};
  let inCommit = 0;
  let inServer = 0;
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let firstAt: number | undefined;
  /** When the last batch left `engine.ingest`: the window ends there, not when the client reports. */
  let lastAt = 0;
  let idleTotal = 0;
  /** Books the loop's idle time since the last transition to the state before this one. */
  const transition = (): void => {
    // Counted from the first batch on: before it, the client is still building its requests.
    if (firstAt === undefined) {
      firstAt = performance.now();
      elu = performance.eventLoopUtilization();
      return;
    }
    const now = performance.eventLoopUtilization();
    const idle = now.idle - elu.idle;
    elu = now;
    idleTotal += idle;
    lastAt = performance.now();
    if (idle > 0) {
      const key = `${inCommit}/${inServer}`;
      idleByState[key] = (idleByState[key] ?? 0) + idle;
    }
  };
  let events = 0;
  let batches = 0;
  let handOffMs = 0;
  let applyMs = 0;
  let commitWaitMs = 0;
  /** The server thread's CPU when `engine.ingest` was entered, for the append it is about to make. */
  let enteredAt = 0;

  engine.ingest = async (body) => {
    transition();
    inServer++;
    enteredAt = thread()?.cpuMs ?? 0;
    try {
      return await ingest.call(engine, body);
    } finally {
      transition();
      inServer--;
    }
  };
  store.appendEvents = (list, receivedAt, onLogged) => {
    const started = performance.now();
    // The engine applies a batch in this listener when the store tells its seqs before the commit.
    const told =
      onLogged === undefined
        ? undefined
        : (result: AppendResult): void => {
            const before = thread()?.cpuMs ?? 0;
            try {
              onLogged(result);
            } finally {
              applyMs += (thread()?.cpuMs ?? 0) - before;
            }
          };
    const pending = appendEvents.call(store, list, receivedAt, told);
    handOffMs += (thread()?.cpuMs ?? 0) - enteredAt;
    transition();
    inCommit++;
    return pending.then((result) => {
      transition();
      inCommit--;
      const waited = performance.now() - started;
      commitWaits.push(waited);
      commitWaitMs += waited;
      events += list.length;
      batches++;
      // Per batch, as batches overlap (the engine awaits co-occurrence's thread after the apply): the
      // engine's resumption from this answer is queued when it returns, so a microtask queued from one
      // queued now runs just after the apply (or, applied early, the hand-off to the thread), when the
      // engine awaits again.
      const committedAt = thread()?.cpuMs ?? 0;
      queueMicrotask(() =>
        queueMicrotask(() => {
          applyMs += (thread()?.cpuMs ?? 0) - committedAt;
        }),
      );
      return result;
    });
  };

  return {
    stop() {
      engine.ingest = ingest;
      store.appendEvents = appendEvents;
      unsubscribe(eventLogCommits.name, onCommit);
      const wallMs = firstAt === undefined ? performance.now() - wallStarted : lastAt - firstAt;
      const idleMs = idleTotal;
      const serverAfter = thread();
      const tasksAfter = taskStats();
      gcWatch.disconnect();
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
        commitWait: spread(commitWaits),
        serverIdleUs: perEvent(idleMs),
        idleByState: Object.fromEntries(
          Object.entries(idleByState)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([state, ms]) => [state, perEvent(ms)]),
        ),
        writer:
          commits.length === 0
            ? undefined
            : {
                count: commits.length,
                appendsPerCommit: commits.reduce((sum, c) => sum + c.appends, 0) / commits.length,
                insertMs: spread(commits.map((c) => c.insertMs)),
                commitMs: spread(commits.map((c) => c.commitMs)),
                busyShare: commits.reduce((sum, c) => sum + c.insertMs + c.commitMs, 0) / wallMs,
              },
        threads: threadCosts(tasksBefore, tasksAfter, events),
        gc,
        rssMiB: { before: rssBefore, after: process.memoryUsage.rss() / 2 ** 20 },
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
  const ms = (v: number): string => v.toFixed(1);
  return (
    `server thread ${f(s.serverCpuUs)} µs/event on a core (validate and hand off ${f(s.validateAndHandOffUs)}, ` +
    `apply ${f(s.applyUs)}, HTTP, parsing and the rest ${f(s.otherUs)}), ${f(s.serverWaitUs)} waiting for a core; ` +
    `event-log writer ${f(s.writerCpuUs)} µs/event on a core, ${f(s.writerWaitUs)} waiting; ` +
    `other threads ${f(s.helperCpuUs)} µs/event; ` +
    `a batch waited ${s.commitWaitMs.toFixed(1)} ms for its commit (p50 ${ms(s.commitWait.p50)}, p90 ${ms(s.commitWait.p90)}, max ${ms(s.commitWait.max)}); ` +
    `server loop idle ${f(s.serverIdleUs)} µs/event (by batches at the writer/in the engine: ${Object.entries(
      s.idleByState,
    )
      .map(([state, us]) => `${state} ${f(us)}`)
      .join(', ')}); ` +
    (s.writer === undefined
      ? ''
      : `writer ${s.writer.count} transactions of ${s.writer.appendsPerCommit.toFixed(2)} batches, inserts p50 ${ms(s.writer.insertMs.p50)} p90 ${ms(s.writer.insertMs.p90)} max ${ms(s.writer.insertMs.max)} ms, commit p50 ${ms(s.writer.commitMs.p50)} p90 ${ms(s.writer.commitMs.p90)} max ${ms(s.writer.commitMs.max)} ms, busy ${(100 * s.writer.busyShare).toFixed(0)}% of the load; `) +
    `GC ${s.gc.minor} scavenges ${s.gc.minorMs.toFixed(0)} ms, ${s.gc.major} others ${s.gc.majorMs.toFixed(0)} ms; ` +
    `RSS ${s.rssMiB.before.toFixed(0)} → ${s.rssMiB.after.toFixed(0)} MiB` +
    (s.threads.length === 0
      ? ''
      : `\nper event by thread (minor faults, µs user + system): ${s.threads
          .map(
            (t) =>
              `${t.name}${t.count > 1 ? ` ×${t.count}` : ''} ${t.minorFaults.toFixed(2)}, ${f(t.userUs)} + ${f(t.systemUs)}`,
          )
          .join('; ')}`)
  );
}
