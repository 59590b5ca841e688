import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Random } from '../src/core/random.js';
import type { EngineConfig } from '../src/engine/config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { buildApp } from '../src/server/app.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { MigrationStep } from '../src/store/store.js';

export const T0 = Date.UTC(2026, 10, 1);

/** A fake clock starting at T0 that tests move by hand. */
export function createClock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const tempDirs: string[] = [];

/** A fresh directory under the OS's temp directory, removed with its contents when the test process exits. */
export function tempDir(prefix = 'setlist-test-'): string {
  if (tempDirs.length === 0) {
    process.once('exit', () => {
      for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A database path in a fresh {@link tempDir}. */
export function tempDbPath(name = 'setlist'): string {
  return join(tempDir(), `${name}.db`);
}

export async function openEngine(
  path = ':memory:',
  options: {
    now?: () => number;
    config?: Partial<EngineConfig>;
    random?: Random;
    cooccurrenceThread?: boolean;
  } = {},
): Promise<Engine> {
  const engine = createEngine({ store: createSqliteStore({ path }), ...options });
  await engine.open();
  return engine;
}

export async function openApp(path = ':memory:', options: { now?: () => number } = {}) {
  const engine = await openEngine(path, options);
  const app = buildApp({ engine });
  await app.ready();
  return { app, engine };
}

/**
 * Checks that a store reported each migration step from `from` to `latest` as it started, then once
 * done with a time of its own, in order.
 */
export function assertMigrationSteps(steps: readonly MigrationStep[], from: number, latest: number): void {
  const expected: string[] = [];
  for (let v = from; v <= latest; v++) expected.push(`${v}/${latest} start`, `${v}/${latest} done`);
  assert.deepEqual(
    steps.map((s) => `${s.version}/${s.latest} ${s.ms === undefined ? 'start' : 'done'}`),
    expected,
  );
  assert.ok(steps.every((s) => s.ms === undefined || s.ms >= 0));
}
