import { test } from 'node:test';

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
