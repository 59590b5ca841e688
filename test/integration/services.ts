import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { test } from 'node:test';
import { sleep } from '../../src/cluster/event-stream.js';

/** Where the integration services run, from `scripts/services.sh start`. */
export interface Services {
  pgUrl: string;
  redisUrl: string;
}

/**
 * The Postgres and Redis the integration tests use, or undefined when they were not started. Under
 * CI=true a missing service is a failure, elsewhere the tests are skipped with a message.
 */
export function services(): Services | undefined {
  const pgUrl = process.env.SETLIST_TEST_PG_URL;
  const redisUrl = process.env.SETLIST_TEST_REDIS_URL;
  if (pgUrl === undefined || redisUrl === undefined || pgUrl === '' || redisUrl === '') return undefined;
  return { pgUrl, redisUrl };
}

export const SKIP_MESSAGE =
  'Postgres/Redis not started: run `eval "$(scripts/services.sh start)"` to run the integration tests';

/**
 * Registers the suite when the services are there; otherwise one test that fails under CI=true and
 * is skipped elsewhere, so a CI run without services cannot pass silently.
 */
export function withServices(name: string, register: (s: Services) => void): void {
  const s = services();
  if (s !== undefined) {
    register(s);
    return;
  }
  if (process.env.CI === 'true') {
    test(`${name}: the integration services are running`, () => {
      throw new Error(`SETLIST_TEST_PG_URL and SETLIST_TEST_REDIS_URL are not set under CI. ${SKIP_MESSAGE}`);
    });
  } else {
    test(`${name}: needs Postgres and Redis`, { skip: SKIP_MESSAGE }, () => {});
  }
}

let counter = 0;
/** A fresh schema name, unique across test processes. */
export function freshSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`;
}

/** A Redis of the test's own on `port` (flags as scripts/services.sh), so that stopping it disturbs no other test. */
export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  for (let k = 0; k < 200 && !out.includes('Ready to accept connections'); k++) await sleep(10);
  assert.match(out, /Ready to accept connections/);
  return child;
}
