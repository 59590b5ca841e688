// Load generator for bench/run.ts, in its own process so the client never competes with the server's
// event loop (autocannon changes behaviour inside a worker thread): autocannon against a feed route (a
// random known user per request), a hello-world route, or POST /v1/events with prebuilt batches. Its
// result is summarised by load-summary.ts (failures by status code, errors and timeouts apart).
import { createRequire } from 'node:module';
import { createRandom } from '../src/core/random.js';
import { type AutocannonResult, type LoadResult, summarizeLoad } from './load-summary.js';
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
  /** Seconds without an answer before the client gives up on a request (autocannon's default: 10). */
  readonly timeoutS?: number;
}

/** How long the client waits for an answer unless the job says otherwise (autocannon's default). */
const DEFAULT_TIMEOUT_S = 10;

interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
  onResponse?: (status: number) => void;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
async function run(job: LoadJob): Promise<LoadResult> {
  const timeoutS = job.timeoutS ?? DEFAULT_TIMEOUT_S;
  const options: Record<string, unknown> = { url: job.url, connections: job.connections, timeout: timeoutS };
  /** When the last ingest batch was answered: autocannon itself resolves at its next one-second tick. */
  let lastAnswerAt: number | undefined;
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
        onResponse: () => {
          lastAnswerAt = performance.now();
        },
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
  // Timed here, to the last batch's answer: autocannon resolves only at the sample tick (every second)
  // after its last answer, which rounded every ingest's time up to whole seconds (session 16).
  const started = performance.now();
  const result = await autocannon(options);
  const wallS = ((lastAnswerAt ?? performance.now()) - started) / 1000;
  return summarizeLoad(result, wallS, timeoutS);
}

// One job at a time, until the parent kills the process (bench/load.ts).
process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send?.({ result }),
    (err: unknown) => process.send?.({ error: err instanceof Error ? err.message : String(err) }),
  );
});
