// Books a server thread's V8 CPU profile (`node --cpu-prof`) by ingest stage, over the load's window
// (its first to last sample inside `engine.ingest`): apply, the hand-offs to the co-occurrence thread
// and to the event-log writer, validation, JSON parsing, the reply, HTTP, garbage collection, idle.
// Samples are wall-clock: a thread waiting for a core is booked to what it ran last, so the shares are
// of the thread's time, not of its CPU (bench/ingest-stages.ts measures that).
// Run: node --import tsx bench/cpu-profile-stages.ts <file.cpuprofile> [events] [frames]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface Frame {
  fn: string;
  file: string;
}

export interface ProfileStages {
  /** The load's window, ms. */
  windowMs: number;
  /** ms by stage, most first. */
  stages: [string, number][];
  /** ms by stage and leaf function, most first. */
  leaves: [string, number][];
}

const has = (stack: readonly Frame[], fn: string, file = ''): boolean =>
  stack.some((f) => (fn === '' || f.fn === fn) && f.file.includes(file));

/** The stage a sample's stack (leaf first) belongs to. */
export function stageOf(stack: readonly Frame[]): string {
  const leaf = stack[0]?.fn ?? '';
  if (leaf === '(garbage collector)') return 'gc';
  if (leaf === '(idle)') return 'idle';
  if (leaf === '(program)') return 'program';
  if (has(stack, 'settled', 'cooccurrence-thread')) return 'hand-off to co-occurrence thread';
  if (has(stack, '', 'cooccurrence-thread')) return "co-occurrence thread's answers";
  if (has(stack, '', 'online-state')) return 'apply';
  if (has(stack, 'appendEvents')) return 'hand-off to event-log writer';
  if (has(stack, '', 'engine/validate')) return 'validate';
  if (has(stack, 'ingest', 'engine/engine.ts')) return 'ingest, the rest';
  if (has(stack, '', 'ingest-stages') || has(stack, '', 'diagnostics_channel')) return "the bench's watch";
  if (has(stack, '', 'secure-json-parse') || has(stack, '', 'content-type-parser')) return 'JSON parse';
  if (has(stack, '', 'fast-json-stringify') || has(stack, '', 'fastify/lib/reply')) return 'reply';
  if (has(stack, '', 'node_modules/')) return 'fastify and other modules';
  if (has(stack, '', 'node:')) return 'node http, net, streams';
  return 'other';
}

/** Books `profile`'s samples within the load's window by {@link stageOf}. */
export function profileStages(profile: CpuProfile): ProfileStages {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stacks = new Map<number, Frame[]>();
  const stackOf = (id: number): Frame[] => {
    let stack = stacks.get(id);
    if (stack !== undefined) return stack;
    stack = [];
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const frame = nodes.get(x)!.callFrame;
      stack.push({
        fn: frame.functionName,
        file: frame.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/'),
      });
    }
    stacks.set(id, stack);
    return stack;
  };
  let first = -1;
  let last = -1;
  for (let k = 0; k < profile.samples.length; k++) {
    if (has(stackOf(profile.samples[k]!), 'ingest', 'engine/engine.ts')) {
      if (first < 0) first = k;
      last = k;
    }
  }
  const stages = new Map<string, number>();
  const leaves = new Map<string, number>();
  let windowMs = 0;
  for (let k = first; k >= 0 && k <= last; k++) {
    // A sample's time is the delta to the next one.
    const ms = (profile.timeDeltas[k + 1] ?? 0) / 1000;
    const stack = stackOf(profile.samples[k]!);
    const stage = stageOf(stack);
    stages.set(stage, (stages.get(stage) ?? 0) + ms);
    const leaf = `${stage}: ${stack[0]!.fn || '(anonymous)'} ${stack[0]!.file}`;
    leaves.set(leaf, (leaves.get(leaf) ?? 0) + ms);
    windowMs += ms;
  }
  const sorted = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]);
  return { windowMs, stages: sorted(stages), leaves: sorted(leaves) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, eventsArg = '200000', framesArg = '30'] = process.argv.slice(2);
  if (path === undefined) throw new Error('usage: cpu-profile-stages.ts <file.cpuprofile> [events] [frames]');
  const events = Number(eventsArg);
  const booked = profileStages(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile);
  const line = (name: string, ms: number): string =>
    `${ms.toFixed(0).padStart(7)} ms ${((ms * 1000) / events).toFixed(2).padStart(6)} µs/event  ${name}`;
  console.log(`the load's window: ${booked.windowMs.toFixed(0)} ms of samples, ${events} events`);
  for (const [stage, ms] of booked.stages) console.log(line(stage, ms));
  console.log('by leaf function:');
  for (const [leaf, ms] of booked.leaves.slice(0, Number(framesArg))) console.log(line(leaf, ms));
}
