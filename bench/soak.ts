// Soak test: mixed load against a `setlist serve` child process on loopback, with bounded id pools so
// that memory should plateau. Prints errors (must be 0), latency percentiles and RSS over time.
//   npm run soak -- --minutes 2 [--concurrency 4] [--max-requests 2000000] [--seed 1]
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createRandom } from '../src/core/random.js';
import { startChildServer } from '../test/child-server.js';
import { tempDbPath } from '../test/helpers.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '4' },
    'max-requests': { type: 'string', default: '2000000' },
    seed: { type: 'string', default: '1' },
  },
});
const minutes = Number(values.minutes);
const concurrency = Number(values.concurrency);
const maxRequests = Number(values['max-requests']);
// Small id pools, filled by a warm-up, so that the engine's state (which grows with distinct
// user-item pairs, by design) is near its size for these pools and any further growth is a leak.
const ITEMS = 2_000;
const USERS = 1_000;
const WARMUP_EVENTS = 100_000;
const CREATORS = 300;
const TAGS = 60;
const EVENT_BATCH = 50;
const TYPES = ['view', 'view', 'view', 'like', 'skip', 'share', 'impression', 'not_interested'];

const db = tempDbPath('soak');
const server = await startChildServer({ db });
const base = server.url;
const rng = createRandom(Number(values.seed));

type Op = 'put-item' | 'events' | 'feed' | 'similar' | 'status';
const MIX: [Op, number][] = [
  ['put-item', 0.1],
  ['events', 0.3],
  ['feed', 0.4],
  ['similar', 0.15],
  ['status', 0.05],
];
const latencies = new Map<Op, number[]>(MIX.map(([op]) => [op, []]));
let requests = 0;
let errors = 0;
const errorSamples: string[] = [];
let eventSeq = 0;

function pickOp(): Op {
  let r = rng.next();
  for (const [op, p] of MIX) {
    r -= p;
    if (r < 0) return op;
  }
  return 'feed';
}

function item(k = rng.int(ITEMS)) {
  return {
    creatorId: `c${k % CREATORS}`,
    caption: `clip ${k} #t${k % TAGS}`,
    tags: [`t${k % TAGS}`, `t${(k * 7) % TAGS}`],
    durationMs: 15_000 + (k % 45) * 1_000,
  };
}

function request(op: Op): { method: string; path: string; body?: unknown } {
  switch (op) {
    case 'put-item': {
      const k = rng.int(ITEMS);
      return { method: 'PUT', path: `/v1/items/v${k}`, body: item(k) };
    }
    case 'events': {
      const events = Array.from({ length: EVENT_BATCH }, () => ({
        id: `e${eventSeq++}`,
        userId: `u${rng.int(USERS)}`,
        itemId: `v${rng.int(ITEMS)}`,
        type: TYPES[rng.int(TYPES.length)],
        watchRatio: Math.round(rng.next() * 100) / 100,
      }));
      return { method: 'POST', path: '/v1/events', body: { events } };
    }
    case 'feed':
      return { method: 'GET', path: `/v1/users/u${rng.int(USERS)}/feed?n=20` };
    case 'similar':
      return { method: 'GET', path: `/v1/items/v${rng.int(ITEMS)}/similar?n=20` };
    case 'status':
      return { method: 'GET', path: '/v1/status' };
  }
}

async function send(op: Op): Promise<void> {
  const r = request(op);
  const started = performance.now();
  try {
    const res = await fetch(base + r.path, {
      method: r.method,
      ...(r.body === undefined
        ? {}
        : { body: JSON.stringify(r.body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    // A similar call on an item not created yet is a correct 404, not an error.
    const ok = res.ok || (op === 'similar' && res.status === 404);
    if (!ok) {
      errors++;
      if (errorSamples.length < 5)
        errorSamples.push(`${r.method} ${r.path}: ${res.status} ${text.slice(0, 200)}`);
    }
  } catch (err) {
    errors++;
    if (errorSamples.length < 5) errorSamples.push(`${r.method} ${r.path}: ${(err as Error).message}`);
  }
  latencies.get(op)!.push(performance.now() - started);
  requests++;
}

async function rssBytes(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const match = /^setlist_process_resident_memory_bytes (\S+)$/m.exec(text);
  return match === null ? Number.NaN : Number(match[1]);
}

// Seed the catalogue so that feeds and similar have something to rank from the start.
for (let k = 0; k < ITEMS; k += 1_000) {
  const items = Array.from({ length: 1_000 }, (_, j) => ({ id: `v${k + j}`, ...item(k + j) }));
  await fetch(`${base}/v1/items`, {
    method: 'POST',
    body: JSON.stringify({ items }),
    headers: { 'content-type': 'application/json' },
  });
}

const warmupStarted = Date.now();
for (let k = 0; k < WARMUP_EVENTS; k += 5_000) {
  const events = Array.from({ length: 5_000 }, (_, j) => ({
    userId: `u${(k + j) % USERS}`,
    itemId: `v${rng.int(ITEMS)}`,
    type: TYPES[rng.int(TYPES.length)],
    watchRatio: 0.6,
  }));
  const res = await fetch(`${base}/v1/events`, {
    method: 'POST',
    body: JSON.stringify({ events }),
    headers: { 'content-type': 'application/json' },
  });
  if (!res.ok) throw new Error(`warm-up failed: ${res.status} ${await res.text()}`);
}
console.log(`warm-up: ${WARMUP_EVENTS} events in ${((Date.now() - warmupStarted) / 1000).toFixed(1)} s`);

const started = Date.now();
const deadline = started + minutes * 60_000;
const samples: { s: number; rssMb: number; requests: number }[] = [];
const sampleEveryMs = Math.max(2_000, (minutes * 60_000) / 24);
const sampler = setInterval(async () => {
  const rss = await rssBytes();
  samples.push({ s: Math.round((Date.now() - started) / 1000), rssMb: rss / 2 ** 20, requests });
  const last = samples[samples.length - 1]!;
  console.log(
    `  t=${String(last.s).padStart(4)} s  rss ${last.rssMb.toFixed(1)} MB  requests ${last.requests}`,
  );
}, sampleEveryMs);

console.log(`soak: ${minutes} min, concurrency ${concurrency}, server ${base}, db ${db}`);
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline && requests < maxRequests) await send(pickOp());
  }),
);
clearInterval(sampler);
samples.push({ s: Math.round((Date.now() - started) / 1000), rssMb: (await rssBytes()) / 2 ** 20, requests });
const status = (await (await fetch(`${base}/v1/status`)).json()) as { counts: Record<string, number> };
server.child.kill('SIGTERM');
await server.exited;
for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const all = [...latencies.values()].flat();
const elapsedS = (Date.now() - started) / 1000;
console.log(
  `\nrequests ${requests} in ${elapsedS.toFixed(0)} s (${(requests / elapsedS).toFixed(0)}/s), errors ${errors}`,
);
for (const e of errorSamples) console.log(`  error: ${e}`);
console.log(`latency all: p50 ${pct(all, 50).toFixed(2)} ms, p99 ${pct(all, 99).toFixed(2)} ms`);
for (const [op, xs] of latencies) {
  console.log(
    `  ${op.padEnd(9)} n=${String(xs.length).padStart(7)}  p50 ${pct(xs, 50).toFixed(2)} ms  p99 ${pct(xs, 99).toFixed(2)} ms`,
  );
}
console.log(`store counts: ${JSON.stringify(status.counts)}`);
// Plateau: the mean RSS of the last third may not exceed the middle third's by more than 10%.
const third = Math.floor(samples.length / 3);
const mean = (xs: { rssMb: number }[]) => xs.reduce((s, x) => s + x.rssMb, 0) / Math.max(1, xs.length);
const middle = mean(samples.slice(third, 2 * third));
const last = mean(samples.slice(2 * third));
const growth = last / middle - 1;
const plateau = samples.length >= 6 && growth <= 0.1;
console.log(
  `rss: middle third ${middle.toFixed(1)} MB, last third ${last.toFixed(1)} MB, growth ${(growth * 100).toFixed(1)}% ` +
    `-> ${samples.length < 6 ? 'too few samples' : plateau ? 'plateau' : 'STILL GROWING'}`,
);
process.exit(errors === 0 && plateau ? 0 : 1);
