// Load generator for bench/run.ts, in its own process so the client never competes with the server's
// event loop (autocannon changes behaviour inside a worker thread): autocannon against a feed route (a random known user per request), a hello-world
// route, or POST /v1/events with prebuilt batches.
import { createRequire } from 'node:module';
import { createRandom } from '../src/core/random.js';
import { ingestBatch } from './synthetic.js';

/** What bench/run.ts asks for. */
export interface LoadJob {
  readonly kind: 'feed' | 'hello' | 'ingest';
  readonly url: string;
  readonly connections: number;
  /** Seconds, for feed and hello. */
  readonly durationS?: number;
  /** For feed: user ids are `user-0` .. `user-(users − 1)`. */
  readonly users?: number;
  readonly items?: number;
  /** For ingest: how many batches of `batchSize` events. */
  readonly batches?: number;
  readonly batchSize?: number;
  readonly seed?: number;
}

/** What the client sends back. */
export interface LoadResult {
  readonly requestsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ok: number;
  readonly failed: number;
  readonly durationS: number;
}

interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
async function run(job: LoadJob): Promise<LoadResult> {
  const options: Record<string, unknown> = { url: job.url, connections: job.connections };
  if (job.kind === 'ingest') {
    const bodies: string[] = [];
    for (let b = 0; b < job.batches!; b++) {
      bodies.push(
        JSON.stringify({ events: ingestBatch(job.seed ?? 1, b, job.batchSize!, job.users!, job.items!) }),
      );
    }
    let next = 0;
    options.amount = job.batches;
    options.requests = [
      {
        method: 'POST',
        path: '/v1/events',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req: AutocannonRequest) => ({ ...req, body: bodies[next++ % bodies.length] }),
      },
    ];
  } else {
    options.duration = job.durationS;
    if (job.kind === 'feed') {
      const random = createRandom(job.seed ?? 1);
      options.requests = [
        {
          method: 'GET',
          setupRequest: (req: AutocannonRequest) => ({
            ...req,
            path: `/v1/users/user-${random.int(job.users!)}/feed?n=20`,
          }),
        },
      ];
    }
  }
  // Timed here: autocannon's own duration counts whole one-second ticks, which halves the rate of a
  // fixed number of batches that takes a little over a second.
  const started = performance.now();
  const result = await autocannon(options);
  const wallS = (performance.now() - started) / 1000;
  return {
    requestsPerS: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
    durationS: wallS,
  };
}

process.once('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send?.({ result }),
    (err: unknown) => process.send?.({ error: err instanceof Error ? err.message : String(err) }),
  );
});
